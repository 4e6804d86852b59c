using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>
/// Point 7: the upstream pool has no fixed size. The guide's "keepalive 10" makes nginx open and
/// close connections once more than ten requests are in flight; here 64 concurrent requests are
/// carried on as many kept-alive connections, and then reused.
/// </summary>
public sealed class PoolTests
{
    [Fact]
    public async Task SixtyFourConcurrentClients_AllServed_UpstreamConnectionsReusedNotCapped()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/hold", async c =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (now == 64)
            {
                gate.TrySetResult();
            }

            await gate.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Interlocked.Decrement(ref inFlight);
            await c.Response.WriteAsync("ok");
        }));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient(configure: handler => handler.MaxConnectionsPerServer = 64);

        var first = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => client.GetAsync(proxy.Https("localhost", "/hold"))));
        var connectionsAfterBurst = upstream.Connections.Count;
        var second = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => client.GetAsync(proxy.Https("localhost", "/again/" + i))));

        Assert.All(first.Concat(second), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(64, maxInFlight);
        Assert.Equal(64, connectionsAfterBurst);
        Assert.Equal(64, upstream.Connections.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
