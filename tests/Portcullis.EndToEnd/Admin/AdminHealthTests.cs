using System.Net;
using System.Runtime.CompilerServices;
using Portcullis.EndToEnd.Failure;

namespace Portcullis.EndToEnd.Admin;

/// <summary>
/// /healthz, /readyz and the upstream health gauge as a load balancer or Kubernetes probe and an
/// operator see them; and the admin endpoints nowhere but on the admin listener.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class AdminHealthTests
{
    private const string FastCheck = "{ path: /health, interval: 200ms, timeout: 1s, unhealthy_after: 2, healthy_after: 1 }";

    private static string OneRoute(Uri upstream, string? healthCheck = null) => $"""
        sites:
          - hosts: [localhost]
            routes:
              - path: /
                upstream: {upstream}
        {(healthCheck is null ? "" : "        health_check: " + healthCheck)}
        """;

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_OnlyUpstreamFailsItsHealthCheck_503ThenHealthGaugeZero_200AndOneWhenBack()
    {
        var healthy = new StrongBox<int>(1);
        await using var upstream = await HealthCheckTests.StartWithHealthAsync(healthy);
        await using var admin = await AdminInstance.StartAsync(OneRoute(upstream.Url, FastCheck));
        var labels = new[] { ("site", "localhost"), ("route", "/"), ("upstream", upstream.Url.GetLeftPart(UriPartial.Authority)) };

        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(admin.Client, "/readyz"));
        Assert.Equal(1, (await admin.ScrapeAsync()).Value("portcullis_upstream_health", labels));

        Volatile.Write(ref healthy.Value, 0);
        await admin.Proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Down(upstream)));

        var notReady = await GetAsync(admin.Client, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("every upstream of localhost/ is down", notReady.Body);
        Assert.Equal(0, (await admin.ScrapeAsync()).Value("portcullis_upstream_health", labels));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(admin.Client, "/healthz"));

        Volatile.Write(ref healthy.Value, 1);
        await admin.Proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Up(upstream)));

        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(admin.Client, "/readyz"));
        Assert.Equal(1, (await admin.ScrapeAsync()).Value("portcullis_upstream_health", labels));
    }

    [Fact]
    public async Task Readyz_NoHealthCheckAndUpstreamDown_StaysReady()
    {
        var gone = await TestUpstream.StartAsync();
        var url = gone.Url;
        await gone.DisposeAsync();
        await using var admin = await AdminInstance.StartAsync(OneRoute(url));
        using var client = admin.Proxy.CreateClient();
        using (var response = await client.GetAsync(admin.Proxy.Https("localhost", "/")))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        // Without a health check nothing declares the route dead: requests keep trying it.
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(admin.Client, "/readyz"));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(admin.Client, "/healthz"));
    }

    [Fact]
    public async Task Readyz_OneOfTwoUpstreamsFailsItsHealthCheck_StaysReady()
    {
        var healthy = new StrongBox<int>(1);
        await using var good = await HealthCheckTests.StartWithHealthAsync();
        await using var bad = await HealthCheckTests.StartWithHealthAsync(healthy);
        await using var admin = await AdminInstance.StartAsync(HealthCheckTests.Cluster([good.Url, bad.Url], FastCheck));

        Volatile.Write(ref healthy.Value, 0);
        await admin.Proxy.Log.WaitForLineAsync(line => line.Contains(HealthCheckTests.Down(bad)));

        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(admin.Client, "/readyz"));
        var scrape = await admin.ScrapeAsync();
        Assert.Equal(0, scrape.Value("portcullis_upstream_health", ("upstream", bad.Url.GetLeftPart(UriPartial.Authority))));
        Assert.Equal(1, scrape.Value("portcullis_upstream_health", ("upstream", good.Url.GetLeftPart(UriPartial.Authority))));
    }

    [Fact]
    public async Task AdminListener_ProxyRequest_NeverForwarded404()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(OneRoute(upstream.Url));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/some/page");
        request.Headers.Host = "localhost";

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(upstream.Requests);
        Assert.DoesNotContain(admin.Proxy.Server.Addresses.Admin!, admin.Proxy.Server.Addresses.Http);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task PublicListeners_AdminPaths_NotServedThere(string path)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(OneRoute(upstream.Url));
        using var client = admin.Proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var https = await client.GetAsync(admin.Proxy.Https("unknown.test", path));
        using var http = await client.GetAsync(admin.Proxy.Http("unknown.test", path));
        using var site = await client.GetAsync(admin.Proxy.Https("localhost", path));

        Assert.Equal(HttpStatusCode.MisdirectedRequest, https.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, http.StatusCode);
        // A configured site's path is the upstream's: forwarded, never answered by Portcullis.
        Assert.Contains(upstream.Requests, r => r.Path == path);
        Assert.DoesNotContain("portcullis_", await site.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AdminListener_NotConfigured_OffByDefault()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(OneRoute(upstream.Url));
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Https("unknown.test", "/metrics"));

        Assert.Null(proxy.Server.Addresses.Admin);
        Assert.Null(proxy.Server.Models.Current.Config.Admin);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.DoesNotContain(proxy.Log.Lines, line => line.Contains("admin", StringComparison.OrdinalIgnoreCase));
    }
}
