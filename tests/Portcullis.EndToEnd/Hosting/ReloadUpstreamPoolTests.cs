using System.Net;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// README, "Live reload": upstream connection pools are kept when their settings did not change.
/// Seen from the upstream's side: each request it receives names the TCP connection it came on
/// (Kestrel's connection id), so a kept-alive connection reused after a reload is told apart from
/// a new one. A reload that changes upstream_tls must not send anything over a connection that was
/// accepted under the old certificate policy.
/// </summary>
public sealed class ReloadUpstreamPoolTests
{
    private const string NotVerified = "upstream_tls: { verify: false }";

    [Fact]
    public async Task Reload_UpstreamTlsUnchanged_KeptAliveUpstreamConnectionReused()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: NotVerified));
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/before"))).EnsureSuccessStatusCode();

        // Another site setting, a new route to the same server, every line moved; upstream_tls as before.
        var errors = await proxy.RewriteConfigAsync($"""
            sites:
              - hosts: [localhost]
                hsts: "max-age=600"
                routes:
                  - path: /api/
                    upstream: {upstream.Url}
                    strip_prefix: true
                    {NotVerified}
                  - path: /
                    upstream: {upstream.Url}
                    {NotVerified}
            """);
        using var after = await client.GetAsync(proxy.Https("localhost", "/after"));
        using var api = await client.GetAsync(proxy.Https("localhost", "/api/users"));

        Assert.Empty(errors);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        // The new configuration served both: its HSTS value, its strip_prefix route.
        Assert.Equal(["max-age=600"], after.Headers.GetValues("Strict-Transport-Security"));
        var requests = upstream.Requests.ToArray();
        Assert.Equal(["/before", "/after", "/users"], requests.Select(r => r.Path));
        Assert.Single(requests.Select(r => r.ConnectionId).Distinct());
        Assert.Single(upstream.Connections);
    }

    [Fact]
    public async Task Reload_UpstreamTlsChanged_NextRequestOnANewUpstreamConnection()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: NotVerified));
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/before"))).EnsureSuccessStatusCode();

        var pinned = $"upstream_tls: {{ pin_sha256: [\"{CertificateFacts.SpkiPin(upstream.Certificate!)}\"] }}";
        var errors = await proxy.RewriteConfigAsync(Yaml.Site(upstream.Url, routeExtra: pinned));
        using var first = await client.GetAsync(proxy.Https("localhost", "/after"));
        using var second = await client.GetAsync(proxy.Https("localhost", "/again"));

        Assert.Empty(errors);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var connections = upstream.Requests.Select(r => r.ConnectionId).ToArray();
        Assert.Equal(3, connections.Length);
        Assert.NotEqual(connections[0], connections[1]);
        // The new client keeps its own connection alive in turn.
        Assert.Equal(connections[1], connections[2]);
    }

    [Fact]
    public async Task Reload_UpstreamTlsTightened_IdleConnectionNotReused_CertificateRejectedWith502()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: NotVerified));
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/before"))).EnsureSuccessStatusCode();

        // verify: true (the default): the upstream's self-signed certificate is not trusted.
        var errors = await proxy.RewriteConfigAsync(Yaml.Site(upstream.Url));
        using var response = await client.GetAsync(proxy.Https("localhost", "/after"));

        Assert.Empty(errors);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains(CertificateFacts.Fingerprint(upstream.Certificate!), await response.Content.ReadAsStringAsync());
        // The connection accepted under verify: false is still open upstream-side; nothing came over it.
        Assert.Equal(["/before"], upstream.Requests.Select(r => r.Path));
    }
}
