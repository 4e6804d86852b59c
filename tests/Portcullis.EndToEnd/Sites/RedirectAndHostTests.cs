using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Sites;

/// <summary>Points 1, 4 and 5: HTTP to HTTPS, HSTS everywhere, unknown hosts never forwarded.</summary>
public sealed class RedirectAndHostTests
{
    [Fact]
    public async Task Http_ConfiguredHost_301ToHttpsKeepingPortPathAndQuery()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Http("localhost", "/if/flow/default-authentication-flow/?next=%2F"));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://localhost:{proxy.HttpsPort}/if/flow/default-authentication-flow/?next=%2F", response.Headers.Location!.OriginalString);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Http_HttpsPort443_RedirectHasNoPort()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        await using var proxy = await PortcullisInstance.StartAsync($"""
            listen:
              http: ["127.0.0.1:0"]
              https: ["127.0.0.1:0"]
              https_port: 443
            data_dir: {directory}/data
            {Yaml.Site(upstream.Url)}
            """, directory);
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Http("localhost", "/x"));

        Assert.Equal("https://localhost/x", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Http_RedirectOff_ServedOverHttpWithForwardedProtoHttp()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: "redirect_http: false"));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Http("localhost", "/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(["http"], Assert.Single(upstream.Requests).All("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task UnknownHost_Https421_Http404_NothingForwarded()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var https = await RawHttp.SendAsync(proxy.HttpsUrl, "GET / HTTP/1.1\nHost: attacker.example\nConnection: close\n", sni: "attacker.example");
        var http = await RawHttp.SendAsync(proxy.HttpUrl, "GET / HTTP/1.1\nHost: attacker.example\nConnection: close\n");
        var noHost = await RawHttp.SendAsync(proxy.HttpsUrl, "GET / HTTP/1.0\n", sni: "localhost");

        Assert.Equal(421, https.Status);
        Assert.Contains("attacker.example", https.Body);
        Assert.Equal(404, http.Status);
        Assert.Equal(421, noHost.Status);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task SniForOneSite_HostForAnother_421()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync($$"""
            sites:
              - hosts: [localhost]
                routes: [{ path: /, upstream: "{{upstream.Url}}" }]
              - hosts: [admin.localhost]
                routes: [{ path: /, upstream: "{{upstream.Url}}" }]
            """);

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"GET / HTTP/1.1\nHost: admin.localhost:{proxy.HttpsPort}\nConnection: close\n", sni: "localhost");

        Assert.Equal(421, response.Status);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Hsts_UpstreamSendsItsOwn_KeptExactlyOnce(string version)
    {
        // An app that asks for includeSubDomains and preload keeps them (HSTS preload eligibility).
        const string apps = "max-age=31536000; includeSubDomains; preload";
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/own-hsts", c =>
        {
            c.Response.Headers.StrictTransportSecurity = apps;
            return c.Response.WriteAsync("body");
        }));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient(Version.Parse(version));

        using var response = await client.GetAsync(proxy.Https("localhost", "/own-hsts"));
        using var other = await client.GetAsync(proxy.Https("localhost", "/other"));

        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Equal([apps], response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Equal(["max-age=63072000"], other.Headers.GetValues("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_ConfiguredOnPurpose_ReplacesTheUpstreamsOwn()
    {
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/own-hsts", c =>
        {
            c.Response.Headers.StrictTransportSecurity = "max-age=10";
            return c.Response.WriteAsync("body");
        }));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: "hsts: \"max-age=600\""));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"GET /own-hsts HTTP/1.1\nHost: localhost:{proxy.HttpsPort}\nConnection: close\n");

        Assert.Equal(200, response.Status);
        Assert.Equal(["max-age=600"], response.All("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_OnProxyErrorsToo_AndConfigurable()
    {
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(new Uri("http://127.0.0.1:1"), siteExtra: "hsts: \"max-age=31536000; includeSubDomains\""));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(["max-age=31536000; includeSubDomains"], response.Headers.GetValues("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_False_NoHeader()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: "hsts: false"));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
