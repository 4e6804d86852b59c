using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Failure;

/// <summary>
/// Issue 4, failing upstreams: active health checks take a server out of rotation and bring it
/// back; passive checks and the idempotent retry hide a dead server from clients; a reload keeps
/// what is known about a server.
/// </summary>
public sealed class HealthCheckTests
{
    private const string FastCheck = "{ path: /health, interval: 200ms, timeout: 1s, unhealthy_after: 2, healthy_after: 1 }";

    /// <summary>One site, one route to several servers, with an optional health_check.</summary>
    public static string Cluster(IEnumerable<Uri> upstreams, string? healthCheck = FastCheck, string siteExtra = "") => $"""
        sites:
          - hosts: [localhost]
        {Yaml.Indent(siteExtra, 4)}
            routes:
              - path: /
                upstream: [{string.Join(", ", upstreams.Select(u => $"\"{u}\""))}]
        {(healthCheck is null ? "" : "        health_check: " + healthCheck)}
        """;

    /// <summary>An upstream whose /health answers 200 while <paramref name="healthy"/> holds 1, else 503 (authentik's ready check with its database down).</summary>
    /// <param name="served">Completed by the first request that is not a health probe.</param>
    public static Task<TestUpstream> StartWithHealthAsync(StrongBox<int>? healthy = null, int port = 0, TaskCompletionSource? served = null) =>
        TestUpstream.StartAsync(port: port, map: app =>
        {
            TestUpstream.Route(app, "/health", c =>
            {
                c.Response.StatusCode = healthy is null || Volatile.Read(ref healthy.Value) == 1 ? 200 : 503;
                return Task.CompletedTask;
            });
            app.Use((context, next) =>
            {
                served?.TrySetResult();
                return next();
            });
        });

    public static string Down(TestUpstream upstream) => $"upstream {upstream.Url.GetLeftPart(UriPartial.Authority)} is down";

    public static string Up(TestUpstream upstream) => $"upstream {upstream.Url.GetLeftPart(UriPartial.Authority)} is up";

    private static async Task GetOkAsync(HttpClient client, PortcullisInstance proxy, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(proxy.Https("localhost", $"/r{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task FailingHealthCheck_ServerTakenOut_NoRequestReachesItAfterTheLogLine_BackWhenItPasses()
    {
        var healthy = new StrongBox<int>(1);
        await using var a = await StartWithHealthAsync();
        await using var b = await StartWithHealthAsync(healthy);
        await using var proxy = await PortcullisInstance.StartAsync(Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();
        await GetOkAsync(client, proxy, 4);
        Assert.NotEmpty(b.Requests);

        Volatile.Write(ref healthy.Value, 0);
        var down = await proxy.Log.WaitForLineAsync(line => line.Contains(Down(b)));
        var seenByB = b.Requests.Count;
        await GetOkAsync(client, proxy, 20);

        Assert.StartsWith("Warning:", down);
        Assert.Contains("health check GET /health failed 2 time(s) in a row (answered 503)", down);
        Assert.Equal(seenByB, b.Requests.Count);

        Volatile.Write(ref healthy.Value, 1);
        await proxy.Log.WaitForLineAsync(line => line.Contains(Up(b)));
        await GetOkAsync(client, proxy, 10);
        Assert.True(b.Requests.Count > seenByB, "the recovered server gets requests again");
        Assert.Single(proxy.Log.Lines, line => line.Contains(Down(b)));
    }

    [Fact]
    public async Task DeadServer_TakenOutByHealthCheck_BackWhenRestartedOnItsPort()
    {
        await using var a = await StartWithHealthAsync();
        var b = await StartWithHealthAsync();
        var port = b.Url.Port;
        await using var proxy = await PortcullisInstance.StartAsync(Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();

        await b.DisposeAsync();
        var down = await proxy.Log.WaitForLineAsync(line => line.Contains(Down(b)));
        await GetOkAsync(client, proxy, 10);
        await using var restarted = await StartWithHealthAsync(port: port);
        await proxy.Log.WaitForLineAsync(line => line.Contains(Up(b)));
        await GetOkAsync(client, proxy, 10);

        Assert.Contains("health check GET /health failed", down);
        Assert.NotEmpty(restarted.Requests);
    }

    [Fact]
    public async Task ServerDiesAndReturnsUnderLoad_IdempotentRequestsFailOver_NoClientVisibleError()
    {
        await using var a = await StartWithHealthAsync();
        var b = await StartWithHealthAsync();
        var port = b.Url.Port;
        await using var proxy = await PortcullisInstance.StartAsync(Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var completed = 0;
        var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(proxy.Https("localhost", $"/load/{worker}"));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }

                Interlocked.Increment(ref completed);
            }
        })).ToArray();

        await b.DisposeAsync();
        await proxy.Log.WaitForLineAsync(line => line.Contains(Down(b)));
        var atDown = Volatile.Read(ref completed);
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var restarted = await StartWithHealthAsync(port: port, served: served);
        await proxy.Log.WaitForLineAsync(line => line.Contains(Up(b)));
        await served.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(failures);
        Assert.True(completed > atDown, "the load went on while the server was down");
        Assert.NotEmpty(restarted.Requests);
    }

    [Fact]
    public async Task PostToServerThatDropsTheConnection_NotRetried_UpstreamSawItOnce_ClientGets502()
    {
        await using var dropping = new RawUpstream("");
        await using var healthy = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Cluster([dropping.Url, healthy.Url], healthCheck: null));
        using var client = proxy.CreateClient();

        // The first request goes to the first server: round-robin starts there.
        using var response = await client.PostAsync(proxy.Https("localhost", "/api/v3/flows/executor/login/"), new StringContent("{\"uid_field\":\"akadmin\"}"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, dropping.RequestCount);
        Assert.Empty(healthy.Requests);
        Assert.Contains(proxy.Log.Lines, line => line.Contains($"upstream {dropping.Url.GetLeftPart(UriPartial.Authority)} is down") && line.Contains("skipped for 5s"));
    }

    [Fact]
    public async Task UpstreamDownAtStart_502WithinASecond_ServesAsSoonAsItComesUp()
    {
        await using var live = await TestUpstream.StartAsync();
        var port = FreePort();
        var yaml = $"""
            sites:
              - hosts: [localhost]
                routes:
                  - {"{"} path: /warm, upstream: "{live.Url}" {"}"}
                  - {"{"} path: /, upstream: "http://127.0.0.1:{port}" {"}"}
            """;
        await using var proxy = await PortcullisInstance.StartAsync(yaml);
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/warm"))).EnsureSuccessStatusCode();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var down = await client.GetAsync(proxy.Https("localhost", "/"));
        watch.Stop();
        await using var upstream = await TestUpstream.StartAsync(port: port);
        using var up = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"502 took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task Reload_KeepsHealthState_AnUnhealthyServerStaysOut()
    {
        var healthy = new StrongBox<int>(1);
        await using var a = await StartWithHealthAsync();
        await using var b = await StartWithHealthAsync(healthy);
        await using var proxy = await PortcullisInstance.StartAsync(Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();
        Volatile.Write(ref healthy.Value, 0);
        await proxy.Log.WaitForLineAsync(line => line.Contains(Down(b)));
        var seenByB = b.Requests.Count;

        // Same servers, another site setting and another check interval: a new probe, the same state.
        var errors = await proxy.RewriteConfigAsync(Cluster([a.Url, b.Url], FastCheck.Replace("200ms", "300ms"), siteExtra: "hsts: \"max-age=600\""));
        await GetOkAsync(client, proxy, 10);

        Assert.Empty(errors);
        Assert.Equal(seenByB, b.Requests.Count);
        Assert.DoesNotContain(proxy.Log.Lines, line => line.Contains(Up(b)) || line.Contains("no longer health-checked"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
