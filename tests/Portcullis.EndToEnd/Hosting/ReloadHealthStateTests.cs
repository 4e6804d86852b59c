using System.Net;
using System.Runtime.CompilerServices;
using Portcullis.EndToEnd.Failure;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// README, point 7: a server's health is kept across reloads, so a reload does not put a dead
/// server back (Model/RuntimeModelBuilder.cs hands the running model's UpstreamHealthTable to the
/// new one, and keeps a probe whose server, check and client are unchanged). Each test takes a
/// server out with a failing health check, reloads with a configuration that still names it, and
/// watches from the server's side that no request reaches it.
/// </summary>
public sealed class ReloadHealthStateTests
{
    private const string ReloadedHsts = "max-age=600";

    [Fact]
    public async Task Reload_SameHealthCheck_ServerMarkedDownStaysOut_BackOnceItsProbePasses()
    {
        var healthy = new StrongBox<int>(1);
        await using var a = await HealthCheckTests.StartWithHealthAsync();
        await using var b = await HealthCheckTests.StartWithHealthAsync(healthy);
        await using var proxy = await PortcullisInstance.StartAsync(HealthCheckTests.Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();
        Volatile.Write(ref healthy.Value, 0);
        await proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Down(b)));
        var seenByB = b.Requests.Count;

        // Only a site setting changes: the probe is kept, and must still count for the new model.
        var errors = await proxy.RewriteConfigAsync(HealthCheckTests.Cluster([a.Url, b.Url], siteExtra: $"hsts: \"{ReloadedHsts}\""));
        await GetFromReloadedModelAsync(client, proxy, 20);

        Assert.Empty(errors);
        Assert.Equal(seenByB, b.Requests.Count);
        Assert.DoesNotContain(proxy.Log.Lines, line => line.Contains(HealthCheckTests.Up(b)) || line.Contains("no longer health-checked"));

        Volatile.Write(ref healthy.Value, 1);
        await proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Up(b)));
        await GetFromReloadedModelAsync(client, proxy, 10);
        Assert.True(b.Requests.Count > seenByB, "the server is back in rotation once the kept probe passes");
    }

    [Fact]
    public async Task Reload_NewHealthCheckThatNeedsThreeFailures_ServerMarkedDownStaysOut()
    {
        var healthy = new StrongBox<int>(1);
        await using var a = await HealthCheckTests.StartWithHealthAsync();
        await using var b = await HealthCheckTests.StartWithHealthAsync(healthy);
        await using var proxy = await PortcullisInstance.StartAsync(HealthCheckTests.Cluster([a.Url, b.Url]));
        using var client = proxy.CreateClient();
        Volatile.Write(ref healthy.Value, 0);
        await proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Down(b)));
        var seenByB = b.Requests.Count;

        // Another check: a new probe. Starting from a clean state, it would need three failed probes
        // an hour apart before taking the server out; with the state kept, the server is out already.
        var slowCheck = "{ path: /health, interval: 1h, timeout: 1s, unhealthy_after: 3, healthy_after: 1 }";
        var errors = await proxy.RewriteConfigAsync(HealthCheckTests.Cluster([a.Url, b.Url], slowCheck, siteExtra: $"hsts: \"{ReloadedHsts}\""));
        await GetFromReloadedModelAsync(client, proxy, 20);

        Assert.Empty(errors);
        Assert.Equal(seenByB, b.Requests.Count);
        // The new probe started before the old one stopped: the server was never left unprobed.
        Assert.DoesNotContain(proxy.Log.Lines, line => line.Contains(HealthCheckTests.Up(b)) || line.Contains("no longer health-checked"));
    }

    /// <summary>Requests that must succeed, each answered by the reloaded configuration (its HSTS value).</summary>
    private static async Task GetFromReloadedModelAsync(HttpClient client, PortcullisInstance proxy, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(proxy.Https("localhost", $"/after-reload/{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([ReloadedHsts], response.Headers.GetValues("Strict-Transport-Security"));
        }
    }
}
