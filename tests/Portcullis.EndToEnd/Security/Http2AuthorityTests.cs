using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// RFC 9113 §8.3.1: when an HTTP/2 request carries both :authority and host, an intermediary that
/// makes an HTTP/1.1 request takes Host from :authority, and the two must not be read differently
/// along the way. With two sites, each behind its own upstream, whichever names the other site the
/// request belongs to the :authority's site alone: the site, the SNI check, the forwarded Host and
/// the access log all use that one value, and the host field never reaches an upstream.
/// </summary>
public sealed class Http2AuthorityTests : IAsyncLifetime
{
    private TestUpstream _sso = null!;
    private TestUpstream _app = null!;
    private PortcullisInstance _proxy = null!;

    public async Task InitializeAsync()
    {
        _sso = await TestUpstream.StartAsync();
        _app = await TestUpstream.StartAsync();
        _proxy = await PortcullisInstance.StartAsync($"""
            sites:
              - hosts: [sso.localhost]
                routes: [{"{"} path: /, upstream: "{_sso.Url}" {"}"}]
              - hosts: [app.localhost]
                routes: [{"{"} path: /, upstream: "{_app.Url}" {"}"}]
            """);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _sso.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task AuthorityNamesThisSite_HostNamesAnother_ForwardedToTheAuthoritysSiteOnly()
    {
        await using var h2 = await Http2Frames.ConnectAsync(_proxy.HttpsUrl, sni: "sso.localhost");
        var authority = $"sso.localhost:{_proxy.HttpsPort}";
        var fields = Http2Frames.Request(authority, "/pinned");
        fields.Add(("host", $"app.localhost:{_proxy.HttpsPort}"));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);
        var line = await _proxy.AccessLog.WaitForLineAsync(l => l.Contains("/pinned"));

        Assert.Null(error);
        Assert.Equal(200, response!.Status);
        var seen = Assert.Single(_sso.Requests);
        Assert.Equal([authority], seen.All("Host"));
        Assert.Equal([authority], seen.All("X-Forwarded-Host"));
        Assert.Empty(_app.Requests);
        Assert.Contains($"\"{authority}\"", line);
        Assert.DoesNotContain("app.localhost", line);
    }

    [Fact]
    public async Task AuthorityNamesAnotherSiteThanSni_HostNamesTheSniSite_421NotForwarded()
    {
        // The SNI check (RFC 9110 §7.4) reads :authority too: a host field naming the connection's
        // own site does not let a request for the other site through.
        await using var h2 = await Http2Frames.ConnectAsync(_proxy.HttpsUrl, sni: "sso.localhost");
        var fields = Http2Frames.Request($"app.localhost:{_proxy.HttpsPort}", "/crossed");
        fields.Add(("host", $"sso.localhost:{_proxy.HttpsPort}"));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        Assert.Null(error);
        Assert.Equal(421, response!.Status);
        Assert.Empty(_sso.Requests);
        Assert.Empty(_app.Requests);
    }
}
