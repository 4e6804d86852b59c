using System.Net;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class EnvironmentOverridesTests : ConfigTextTests
{
    [Fact]
    public void LoadText_ScalarVariable_OverridesFileValue()
    {
        var config = Load(Site + "    hsts: max-age=300\n", ("PORTCULLIS_SITES__0__HSTS", "false"), ("PORTCULLIS_TIMEOUTS__WEBSOCKET_IDLE", "2h"));

        Assert.Null(config.Sites[0].Hsts);
        Assert.Equal(TimeSpan.FromHours(2), config.Timeouts.WebSocketIdle);
    }

    [Fact]
    public void LoadText_CommaList_BecomesList()
    {
        var config = Load(Site, ("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8"), ("PORTCULLIS_LISTEN__HTTPS", "127.0.0.1:8443,[::1]:8443"));

        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")], config.TrustedProxies);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:8443"), IPEndPoint.Parse("[::1]:8443")], config.Listen.Https);
        Assert.Equal(2, config.Listen.Http.Count);
    }

    [Fact]
    public void LoadText_SingleValueForListKey_ReplacesWholeList()
    {
        var config = Load(Site.Replace("[sso.example.com]", "[a.example.com, b.example.com]"), ("PORTCULLIS_SITES__0__HOSTS", "login.example.com"));

        Assert.Equal(["login.example.com"], config.Sites[0].Hosts);
    }

    [Fact]
    public void LoadText_NestedUpstream_OverridesRouteUpstream()
    {
        var config = Load(Site, ("PORTCULLIS_SITES__0__ROUTES__0__UPSTREAM", "http://authentik-server:9000"));

        Assert.Equal([new Uri("http://authentik-server:9000")], config.Sites[0].Routes[0].Upstreams);
    }

    [Fact]
    public void LoadText_IndexEqualToCount_AddsListItem()
    {
        var config = Load(Site,
            ("PORTCULLIS_SITES__0__ROUTES__1__PATH", "/outpost.goauthentik.io/"),
            ("PORTCULLIS_SITES__0__ROUTES__1__UPSTREAM", "http://outpost:9000"),
            ("PORTCULLIS_TRUSTED_PROXIES__0", "192.168.0.0/16"));

        var routes = config.Sites[0].Routes;
        Assert.Equal(2, routes.Count);
        Assert.Equal("/outpost.goauthentik.io/", routes[1].Path);
        Assert.Equal([new Uri("http://outpost:9000")], routes[1].Upstreams);
        Assert.Equal([IPNetwork.Parse("192.168.0.0/16")], config.TrustedProxies);
    }

    [Fact]
    public void LoadText_NoFileSites_WholeSiteFromEnvironment()
    {
        var config = Load("",
            ("PORTCULLIS_SITES__0__HOSTS", "sso.example.com"),
            ("PORTCULLIS_SITES__0__ROUTES__0__UPSTREAM", "https://authentik:9443"));

        var site = Assert.Single(config.Sites);
        Assert.Equal(["sso.example.com"], site.Hosts);
        Assert.Equal("/", site.Routes[0].Path);
    }

    [Fact]
    public void LoadText_OtherVariables_AreIgnored()
    {
        var config = Load(Site, ("PATH", "/usr/bin"), ("portcullis_sites__0__hsts", "false"), ("PORTCULLISX", "1"));

        Assert.Equal("max-age=63072000", config.Sites[0].Hsts);
    }

    [Theory]
    [InlineData("PORTCULLIS_SITES__5__HSTS", "false", "sites.5.hsts", "'5' does not fit here")]
    [InlineData("PORTCULLIS_SITES__0__ROUTES__0__PATH__X", "1", "sites.0.routes.0.path.x", "'x' does not fit here")]
    [InlineData("PORTCULLIS_SITES__X__HSTS", "false", "sites.x.hsts", "'x' does not fit here")]
    public void LoadText_PathThatDoesNotFit_ReportsTheVariable(string name, string value, string key, string message)
    {
        var error = Assert.Single(Errors(Site, (name, value)));

        Assert.Equal("environment variable " + name, error.Location.Source);
        Assert.Equal(0, error.Location.Line);
        Assert.Equal(key, error.Key);
        Assert.StartsWith(message, error.Message);
        Assert.Contains("PORTCULLIS_SITES__0__HSTS=false", error.Hint);
        Assert.StartsWith("environment variable " + name + ": ", error.ToString());
    }

    [Theory]
    [InlineData("PORTCULLIS_TIMEOUTS__UPSTREAM_CONNECT", "soon", "timeouts.upstream_connect", "'soon' is not a duration.")]
    [InlineData("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.1/8", "trusted_proxies", "'10.0.0.1/8' is not a CIDR.")]
    [InlineData("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/8,bogus", "trusted_proxies", "'bogus' is not a CIDR.")]
    [InlineData("PORTCULLIS_SITES__0__REDIRECT_HTTP", "maybe", "sites[0].redirect_http", "'maybe' is not true or false.")]
    [InlineData("PORTCULLIS_SITES__0__ROUTES__0__UPSTREAM", "ftp://authentik", "sites[0].routes[0].upstream", "'ftp://authentik' is not an upstream URL.")]
    [InlineData("PORTCULLIS_SITES__0__TLS__MIN_VERSION", "1.1", "sites[0].tls.min_version", "TLS 1.1 is not offered.")]
    [InlineData("PORTCULLIS_SITES__0__HSTX", "false", "sites[0].hstx", "unknown key.")]
    [InlineData("PORTCULLIS_LISTN__HTTP", "0.0.0.0:80", "listn", "unknown key.")]
    public void LoadText_BadValueFromEnvironment_IsValidatedLikeFileValue(string name, string value, string key, string message)
    {
        var error = Assert.Single(Errors(Site, (name, value)));

        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
        Assert.Equal(new ConfigLocation("environment variable " + name, 0, 0), error.Location);
    }

    [Fact]
    public void LoadText_EnvironmentAndFileErrors_ReportsBothWithTheirOrigins()
    {
        var errors = Errors(Site + "    redirect_http: maybe\n", ("PORTCULLIS_TIMEOUTS__KEEP_ALIVE", "forever"));

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Location == new ConfigLocation(FileName, 6, 20) && e.Key == "sites[0].redirect_http");
        Assert.Contains(errors, e => e.Location.Source == "environment variable PORTCULLIS_TIMEOUTS__KEEP_ALIVE" && e.Key == "timeouts.keep_alive");
    }
}
