using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class ForwardAuthConfigTests
{
    private static ProxyConfig Load(string yaml) => ConfigLoader.LoadText(yaml, "portcullis.yaml", AppContext.BaseDirectory);

    private static IReadOnlyList<ConfigError> Errors(string yaml) => Assert.Throws<ConfigException>(() => Load(yaml)).Errors;

    [Fact]
    public void LoadText_RouteForwardAuth_OutpostAndDefaults()
    {
        var config = Load("""
            sites:
              - hosts: [app.domain.tld]
                routes:
                  - path: /
                    upstream: http://app:8080
                    forward_auth: { outpost: "http://authentik-server:9000" }
            """);

        var forwardAuth = config.Sites[0].Routes[0].ForwardAuth!;
        Assert.Equal(new Uri("http://authentik-server:9000"), forwardAuth.Outpost);
        Assert.Equal(TimeSpan.FromSeconds(10), forwardAuth.Timeout);
        Assert.True(forwardAuth.UpstreamTls.Verify);
        Assert.Null(config.Sites[0].ForwardAuth);
    }

    [Fact]
    public void LoadText_SiteForwardAuth_AppliesToTheSite()
    {
        var config = Load("""
            sites:
              - hosts: [app.domain.tld]
                forward_auth: { outpost: "https://outpost:9443", timeout: 2s, upstream_tls: { verify: false } }
                routes: [{ path: /, upstream: "http://app:8080" }]
            """);

        var forwardAuth = config.Sites[0].ForwardAuth!;
        Assert.Equal(TimeSpan.FromSeconds(2), forwardAuth.Timeout);
        Assert.False(forwardAuth.UpstreamTls.Verify);
    }

    [Theory]
    [InlineData("http://authentik-server:9000/outpost.goauthentik.io/auth/nginx")]
    [InlineData("authentik-server:9000")]
    [InlineData("ftp://authentik-server")]
    public void LoadText_OutpostWithPathOrNotAUrl_ErrorWithTheFix(string outpost)
    {
        var error = Assert.Single(Errors($$"""
            sites:
              - hosts: [app.domain.tld]
                routes:
                  - path: /
                    upstream: http://app:8080
                    forward_auth: { outpost: "{{outpost}}" }
            """));

        Assert.Equal("sites[0].routes[0].forward_auth.outpost", error.Key);
        Assert.Equal(6, error.Location.Line);
        Assert.Contains("no path", error.Hint);
    }

    [Fact]
    public void LoadText_NoOutpost_Error()
    {
        var error = Assert.Single(Errors("""
            sites:
              - hosts: [app.domain.tld]
                routes: [{ path: /, upstream: "http://app:8080", forward_auth: { timeout: 2s } }]
            """));

        Assert.Equal("sites[0].routes[0].forward_auth", error.Key);
    }

    [Fact]
    public void LoadText_OutpostServedBehindForwardAuth_RedirectLoopCaught()
    {
        var error = Assert.Single(Errors("""
            sites:
              - hosts: [sso.domain.tld, app.domain.tld]
                forward_auth: { outpost: "https://sso.domain.tld" }
                routes: [{ path: /, upstream: "https://authentik:9443" }]
            """));

        Assert.Equal("sites[0].forward_auth.outpost", error.Key);
        Assert.Contains("redirect loop", error.Message);
    }

    [Fact]
    public void LoadText_OutpostServedByAnUnprotectedSite_Accepted()
    {
        var config = Load("""
            sites:
              - hosts: [sso.domain.tld]
                routes: [{ path: /, upstream: "https://authentik:9443" }]
              - hosts: [app.domain.tld]
                forward_auth: { outpost: "https://sso.domain.tld" }
                routes: [{ path: /, upstream: "http://app:8080" }]
            """);

        Assert.NotNull(config.Sites[1].ForwardAuth);
    }
}
