using System.Net;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.EndToEnd.Tls;

/// <summary>
/// The http-01 answer (RFC 8555 §8.3) on the plain-HTTP listener, as a CA fetches it. The acme
/// directory is a closed loopback port: the issuer's orders fail and back off, which does not
/// matter here; the answers come from the process's responder, filled by the test.
/// </summary>
public sealed class AcmeChallengeTests
{
    private const string Token = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
    private const string KeyAuthorization = Token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
    private const string Acme = "acme:\n  email: admin@portcullis.test\n  directory: https://127.0.0.1:9/directory\n";

    [Theory]
    [InlineData("localhost")] // a site with redirect_http (the default): answered, not redirected
    [InlineData("unknown.portcullis.test")] // no site yet: answered, not 404
    public async Task Http_PendingChallenge_200OctetStreamWithKeyAuthorization(string host)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url) + "\n" + Acme);
        proxy.Server.Models.Http01Challenges.Add(Token, KeyAuthorization);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Http(host, "/.well-known/acme-challenge/" + Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(KeyAuthorization, await response.Content.ReadAsStringAsync());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Http_UnknownToken_RedirectedAsAnyOtherPath()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url) + "\n" + Acme);
        proxy.Server.Models.Http01Challenges.Add(Token, KeyAuthorization);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Http("localhost", "/.well-known/acme-challenge/other-token"));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
    }

    [Fact]
    public async Task Https_PendingChallenge_ForwardedToTheUpstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url) + "\n" + Acme);
        proxy.Server.Models.Http01Challenges.Add(Token, KeyAuthorization);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Https("localhost", "/.well-known/acme-challenge/" + Token));

        Assert.NotEqual(KeyAuthorization, await response.Content.ReadAsStringAsync());
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Http_AcmeOff_ChallengeForwardedToTheUpstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: "redirect_http: false"));
        proxy.Server.Models.Http01Challenges.Add(Token, KeyAuthorization);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Http("localhost", "/.well-known/acme-challenge/" + Token));

        // An upstream answering its own challenges (certbot's webroot) keeps getting them.
        Assert.NotEqual(KeyAuthorization, await response.Content.ReadAsStringAsync());
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Http_DataDirectoryChangedByReload_AnswersChallengesSharedUnderTheNewOne()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url) + "\n" + Acme);
        var moved = Path.Combine(proxy.Directory, "moved");
        var preamble = PortcullisInstance.Preamble(proxy.Directory).Replace($"data_dir: {proxy.Directory}/data", $"data_dir: {moved}", StringComparison.Ordinal);
        Assert.Empty(await proxy.RewriteConfigAsync(preamble + "\n" + Yaml.Site(upstream.Url) + "\n" + Acme));
        // Another instance on the new data_dir places the order and shares its challenge there.
        new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(moved)).Add(Token, KeyAuthorization);
        using var client = proxy.CreateClient(configure: PortcullisInstance.ResolveToLoopback);

        using var response = await client.GetAsync(proxy.Http("localhost", "/.well-known/acme-challenge/" + Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(KeyAuthorization, await response.Content.ReadAsStringAsync());
    }
}
