using System.Net;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>Point 10: several sites by host, path-prefix routes, prefix kept unless strip is asked for.</summary>
public sealed class RoutingTests
{
    [Fact]
    public async Task SitesAndPrefixes_LongestPrefixWins_PrefixPassedUnchanged_StripOnRequest()
    {
        await using var authentik = await TestUpstream.StartAsync();
        await using var app = await TestUpstream.StartAsync();
        await using var other = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync($$"""
            sites:
              - hosts: [localhost]
                routes:
                  - { path: /, upstream: "{{app.Url}}" }
                  - { path: /authentik/, upstream: "{{authentik.Url}}" }
                  - { path: /api, upstream: "{{other.Url}}", strip_prefix: true }
              - hosts: [other.localhost]
                routes: [{ path: /, upstream: "{{other.Url}}" }]
            """);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        async Task<string> Get(string host, string path)
        {
            using var response = await client.GetAsync(proxy.Https(host, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return path;
        }

        await Get("localhost", "/authentik/if/admin/?x=1");
        await Get("localhost", "/authentikfoo");
        await Get("localhost", "/api/v1/items");
        await Get("localhost", "/api");
        await Get("other.localhost", "/authentik/");

        Assert.Equal(["/authentik/if/admin/"], authentik.Requests.Select(r => r.Path));
        Assert.Equal("?x=1", authentik.Requests.Single().Query);
        Assert.Equal(["/authentikfoo"], app.Requests.Select(r => r.Path));
        Assert.Equal(["/v1/items", "/", "/authentik/"], other.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task SeveralUpstreams_RequestsSpread_DeadOneSkippedWithoutClientError()
    {
        await using var first = await TestUpstream.StartAsync();
        await using var second = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync($$"""
            sites:
              - hosts: [localhost]
                routes: [{ path: /, upstream: ["{{first.Url}}", "{{second.Url}}", "http://127.0.0.1:1"] }]
            """);
        using var client = proxy.CreateClient();

        for (var i = 0; i < 12; i++)
        {
            using var response = await client.GetAsync(proxy.Https("localhost", "/" + i));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotEmpty(first.Requests);
        Assert.NotEmpty(second.Requests);
        Assert.Equal(12, first.Requests.Count + second.Requests.Count);
    }
}
