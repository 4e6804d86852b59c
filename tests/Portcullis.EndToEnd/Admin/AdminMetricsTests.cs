using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Portcullis.EndToEnd.Forwarding;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Admin;

/// <summary>
/// The admin listener's /metrics as an operator's Prometheus sees it: requests by site, route,
/// status class and protocol, durations, upstream errors, WebSockets, certificate expiry, reloads.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class AdminMetricsTests
{
    private static string TwoRoutes(Uri upstream) => $"""
        sites:
          - hosts: [localhost]
            routes:
              - path: /
                upstream: {upstream}
              - path: /api
                upstream: {upstream}
        """;

    [Fact]
    public async Task Metrics_Http11AndHttp2Requests_CountedBySiteRouteStatusClassAndProtocol()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));
        using var h1 = admin.Proxy.CreateClient(HttpVersion.Version11);
        using var h2 = admin.Proxy.CreateClient(HttpVersion.Version20);
        for (var i = 0; i < 3; i++)
        {
            using var response = await h1.GetAsync(admin.Proxy.Https("localhost", $"/api/h1-{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var response = await h2.GetAsync(admin.Proxy.Https("localhost", $"/h2-{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var anyName = admin.Proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);
        using (var misdirected = await anyName.GetAsync(admin.Proxy.Https("unknown.test", "/misdirected")))
        {
            Assert.Equal(HttpStatusCode.MisdirectedRequest, misdirected.StatusCode);
        }

        await admin.RequestEndedAsync("/misdirected");
        var scrape = await admin.ScrapeAsync();

        Assert.Equal(3, scrape.Value("portcullis_requests_total", ("site", "localhost"), ("route", "/api"), ("status_class", "2xx"), ("protocol", "HTTP/1.1")));
        Assert.Equal(2, scrape.Value("portcullis_requests_total", ("site", "localhost"), ("route", "/"), ("status_class", "2xx"), ("protocol", "HTTP/2")));
        Assert.Null(scrape.Value("portcullis_requests_total", ("site", "localhost"), ("route", "/api"), ("protocol", "HTTP/2")));
        Assert.Equal(1, scrape.Value("portcullis_requests_total", ("site", "none"), ("route", "none"), ("status_class", "4xx"), ("protocol", "HTTP/1.1")));
        // Never a path: the series are bounded by the configuration, whatever clients ask for.
        Assert.DoesNotContain(scrape.All, s => s.Labels.Values.Any(v => v.Contains("h1-") || v.Contains("h2-") || v.Contains("misdirected")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metrics_PlatformRequestMeters_OnlyWhenAskedFor_KestrelsAlways(bool platformRequestMetrics)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url), platformRequestMetrics);
        using var client = admin.Proxy.CreateClient();
        using (var response = await client.GetAsync(admin.Proxy.Https("localhost", "/platform")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await admin.RequestEndedAsync("/platform");
        var names = (await admin.ScrapeAsync()).Names;

        Assert.Contains("kestrel_active_connections", names);
        Assert.Contains("portcullis_requests_total", names);
        Assert.Equal(platformRequestMetrics, names.Any(n => n.StartsWith("http_server_request_duration", StringComparison.Ordinal)));
        Assert.Equal(platformRequestMetrics, names.Any(n => n.StartsWith("http_client_request_duration", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Metrics_RequestDuration_HistogramBucketsCumulativeUpToTheCount()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));
        using var client = admin.Proxy.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync(admin.Proxy.Https("localhost", $"/api/d{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await admin.RequestEndedAsync("/api/d3");
        var scrape = await admin.ScrapeAsync();
        var labels = new[] { ("site", "localhost"), ("route", "/api"), ("status_class", "2xx") };
        var buckets = scrape.Find("portcullis_request_duration_seconds_bucket", labels)
            .Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture), s.Value))
            .OrderBy(b => b.Le).ToArray();

        Assert.Equal([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 100, double.PositiveInfinity], buckets.Select(b => b.Le));
        Assert.Equal(4, buckets[^1].Value);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(pair => pair.First.Value <= pair.Second.Value), "buckets are cumulative");
        Assert.Equal(4, scrape.Value("portcullis_request_duration_seconds_count", labels));
        var sum = scrape.Value("portcullis_request_duration_seconds_sum", labels);
        Assert.InRange(sum!.Value, 0.000001, 10);
    }

    [Fact]
    public async Task Metrics_UpstreamRefusesConnections_CountedAsConnectError()
    {
        var gone = await TestUpstream.StartAsync();
        var url = gone.Url;
        await gone.DisposeAsync(); // Its port now refuses connections.
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(url));
        using var client = admin.Proxy.CreateClient();

        using var response = await client.PostAsync(admin.Proxy.Https("localhost", "/api/refused"), new StringContent("x"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var scrape = await admin.ScrapeAsync();
        Assert.Equal(1, scrape.Value("portcullis_upstream_errors_total", ("site", "localhost"), ("route", "/api"), ("reason", "connect")));
        Assert.Null(scrape.Value("portcullis_upstream_errors_total", ("reason", "tls")));
        Assert.Null(scrape.Value("portcullis_upstream_errors_total", ("reason", "timeout")));
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Metrics_WebSocketOpenThenClosed_GaugeUpThenDown(string version)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));
        var labels = new[] { ("site", "localhost"), ("route", "/") };

        using (var socket = await WebSocketTests.ConnectAsync(admin.Proxy, Version.Parse(version)))
        {
            // An echo has crossed the relay, so the session is running and counted.
            Assert.Equal("ping", await WebSocketTests.EchoAsync(socket, "ping"));
            Assert.Equal(1, (await admin.ScrapeAsync()).Value("portcullis_websockets_active", labels));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        await admin.RequestEndedAsync("/ws");
        Assert.Equal(0, (await admin.ScrapeAsync()).Value("portcullis_websockets_active", labels));
    }

    [Fact]
    public async Task Metrics_CertificateExpiry_IsTheServedCertificatesNotAfter()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));
        X509Certificate2? served = null;
        using var client = admin.Proxy.CreateClient(configure: handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true;
        });
        using var response = await client.GetAsync(admin.Proxy.Https("localhost", "/"));
        Assert.NotNull(served);

        var scrape = await admin.ScrapeAsync();

        var expected = new DateTimeOffset(served.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
        Assert.Equal(expected, scrape.Value("portcullis_certificate_expiry_timestamp_seconds", ("site", "localhost")));
    }

    [Fact]
    public async Task Metrics_AcmeCaUnreachable_FailuresCountedForTheAcmeSiteOnly()
    {
        // The CA is a closed loopback port: every attempt fails, the temporary certificate serves.
        await using var upstream = await TestUpstream.StartAsync();
        using var files = new TempDirectory();
        var written = TestCertificates.WritePem(files.Path, "files", "files.localhost");
        await using var admin = await AdminInstance.StartAsync($"""
            acme:
              email: admin@portcullis.test
              directory: https://127.0.0.1:9/directory
            {TwoRoutes(upstream.Url)}
              - hosts: [files.localhost]
                tls: {"{"} certificate: {written.Certificate}, key: {written.Key} {"}"}
                routes: [{"{"} path: /, upstream: "{upstream.Url}" {"}"}]
            """);
        var issuer = Assert.IsType<AcmeCertificateSource>(admin.Proxy.Server.Models.Current.Sites.Find("localhost")!.Certificate).Issuer!;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        issuer.AttemptFailed += _ => failed.TrySetResult();
        if (issuer.ConsecutiveFailures == 0)
        {
            await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var scrape = await admin.ScrapeAsync();

        Assert.True(scrape.Value("portcullis_acme_failures", ("site", "localhost")) >= 1);
        Assert.Empty(scrape.Find("portcullis_acme_failures", ("site", "files.localhost")));
    }

    [Fact]
    public async Task Metrics_ReloadAcceptedThenRejected_CountedOkAndFailed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));

        Assert.Empty(await admin.RewriteAsync(TwoRoutes(upstream.Url) + "\n    hsts: \"max-age=60\"\n"));
        Assert.NotEmpty(await admin.RewriteAsync("sites:\n  - hosts: [localhost]\n    routes: oops\n"));
        Assert.NotEmpty(await admin.RewriteAsync("sites: []\n"));

        var scrape = await admin.ScrapeAsync();
        Assert.Equal(1, scrape.Value("portcullis_config_reloads_total", ("result", "ok")));
        Assert.Equal(2, scrape.Value("portcullis_config_reloads_total", ("result", "failed")));
    }

    [Fact]
    public async Task Metrics_AdminListener_PrometheusTextFormatWithKestrelAndAspNetCoreMeters()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var admin = await AdminInstance.StartAsync(TwoRoutes(upstream.Url));
        using var client = admin.Proxy.CreateClient();
        using (await client.GetAsync(admin.Proxy.Https("localhost", "/one")))
        {
            await admin.RequestEndedAsync("/one");
        }

        using var response = await admin.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        var names = PrometheusText.Parse(text).Names;
        Assert.Contains("kestrel_active_connections", names);
        Assert.Contains("http_server_request_duration_seconds_count", names);
        Assert.Contains("portcullis_upstream_health", names);
    }
}
