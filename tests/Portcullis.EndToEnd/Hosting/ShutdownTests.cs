using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Forwarding;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// Point 12, in process (the same path SIGTERM takes: the host's ApplicationStopping). The real
/// signal is sent to a real process in <see cref="Cli.ProcessTests"/>.
/// </summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_InFlightRequestCompletes_WebSocketGets1001AfterDrain_NewConnectionsRefused()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/slow", async c =>
        {
            requestArrived.TrySetResult();
            await release.Task;
            await c.Response.WriteAsync("finished");
        }));
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { shutdown_drain: 2s }\n" + Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        using var socket = await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11);
        var inFlight = client.GetAsync(proxy.Https("localhost", "/slow"));
        await requestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = proxy.Server.StopAsync();
        var closeFrame = socket.ReceiveAsync(new byte[256], CancellationToken.None);
        release.SetResult();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => proxy.CreateClient().GetAsync(proxy.Https("localhost", "/new")));
        var close = await closeFrame.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
