using System.Text.Json;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>
/// Point 8: the headers authentik reads to decide the client IP, scheme and host. Raw sockets,
/// because the attack is in repeated and oddly spelled headers HttpClient would not send.
/// </summary>
public sealed class ForwardedHeaderTests
{
    [Fact]
    public async Task UntrustedPeer_SpoofedForwardedHeadersInEverySpelling_UpstreamSeesOnlyThePeer()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET /who HTTP/1.1
            Host: localhost:{proxy.HttpsPort}
            X-Forwarded-For: 6.6.6.6
            X-Forwarded-For: 7.7.7.7, 8.8.8.8
            x-forwarded-for: 9.9.9.9
            X_Forwarded_For: 6.6.6.6
            X-Forwarded_For: 6.6.6.6
            X-Real-IP: 6.6.6.6
            X_Real_IP: 6.6.6.6
            Forwarded: for=6.6.6.6;proto=https
            X-Forwarded-Proto: http
            X-Forwarded-Host: evil.example
            X-Forwarded-Port: 1
            X-Forwarded-Prefix: /evil
            True-Client-IP: 6.6.6.6
            X-Client-IP: 6.6.6.6
            X-authentik-username: akadmin
            X_authentik_groups: admins
            Connection: close

            """);

        Assert.Equal(200, response.Status);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal(["127.0.0.1"], seen.All("X-Forwarded-For"));
        Assert.Equal(["https"], seen.All("X-Forwarded-Proto"));
        Assert.Equal([$"localhost:{proxy.HttpsPort}"], seen.All("X-Forwarded-Host"));
        Assert.Equal([$"localhost:{proxy.HttpsPort}"], seen.All("Host"));
        var leaked = seen.Headers.Keys.Where(name => name.Replace('_', '-').ToLowerInvariant() is var n
            && (n.StartsWith("x-forwarded-") && n is not ("x-forwarded-for" or "x-forwarded-proto" or "x-forwarded-host")
                || n is "forwarded" or "x-real-ip" or "true-client-ip" or "x-client-ip" || n.StartsWith("x-authentik-")
                || name.Contains('_'))).ToArray();
        Assert.Empty(leaked);
        Assert.DoesNotContain("6.6.6.6", JsonSerializer.Serialize(seen));
    }

    [Fact]
    public async Task UntrustedPeer_OverHttp2_SpoofedHeadersReplaced()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient(System.Net.HttpVersion.Version20);
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/h2")) { Version = System.Net.HttpVersion.Version20 };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("X_Forwarded_For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "6.6.6.6");

        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("HTTP/1.1", seen.Protocol);
        Assert.Equal(["127.0.0.1"], seen.All("X-Forwarded-For"));
        Assert.Empty(seen.All("X-Real-IP"));
        Assert.Empty(seen.All("X_Forwarded_For"));
    }

    [Fact]
    public async Task TrustedPeer_KeepsItsForwardedForAndAppendsThePeer_KeepsProtoAndHost()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("trusted_proxies: [127.0.0.0/8]\n" + Yaml.Site(upstream.Url));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET / HTTP/1.1
            Host: localhost:{proxy.HttpsPort}
            X-Forwarded-For: 203.0.113.7
            X-Forwarded-For: 10.1.1.1
            X-Forwarded-Proto: https
            X-Forwarded-Host: sso.domain.tld
            X_Forwarded_For: 6.6.6.6
            X-Real-IP: 6.6.6.6
            Connection: close

            """);

        Assert.Equal(200, response.Status);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal(["203.0.113.7, 10.1.1.1, 127.0.0.1"], seen.All("X-Forwarded-For"));
        Assert.Equal(["https"], seen.All("X-Forwarded-Proto"));
        Assert.Equal(["sso.domain.tld"], seen.All("X-Forwarded-Host"));
        Assert.Empty(seen.All("X_Forwarded_For"));
        Assert.Empty(seen.All("X-Real-IP"));
    }

    [Fact]
    public async Task HostHeader_PassedUnchangedWithPort()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, hosts: "localhost, sso.domain.tld"));
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Https("sso.domain.tld", "/x?y=1"));

        response.EnsureSuccessStatusCode();
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal([$"sso.domain.tld:{proxy.HttpsPort}"], seen.All("Host"));
        Assert.Equal("/x", seen.Path);
        Assert.Equal("?y=1", seen.Query);
    }

    [Fact]
    public async Task PlainRequest_UpstreamConnectionIsKeptAliveAndReused()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(proxy.Https("localhost", "/" + i));
            response.EnsureSuccessStatusCode();
        }

        Assert.Single(upstream.Connections);
        Assert.All(upstream.Requests, r => Assert.DoesNotContain("close", string.Join(",", r.All("Connection"))));
    }
}
