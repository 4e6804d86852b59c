using System.Net;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>Point 6: the upstream's certificate is verified by default, and a failure says how to accept it.</summary>
public sealed class UpstreamTlsTests
{
    [Fact]
    public async Task SelfSignedUpstream_Default_502NamingCertificateAndSettings()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.True(page.Contains("CN=portcullis test upstream"), page);
        Assert.Contains(CertificateFacts.Fingerprint(upstream.Certificate!), page);
        Assert.Contains(CertificateFacts.SpkiPin(upstream.Certificate!), page);
        Assert.Contains("upstream_tls.ca", page);
        Assert.Contains("upstream_tls.verify: false", page);
        Assert.Empty(upstream.Requests);
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Warning:") && line.Contains(upstream.Url.ToString().TrimEnd('/')) && line.Contains(CertificateFacts.Fingerprint(upstream.Certificate!)));
    }

    [Fact]
    public async Task SelfSignedUpstream_WebSocketHandshake_502NamesTheCertificateToo()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET /ws HTTP/1.1
            Host: localhost:{proxy.HttpsPort}
            Upgrade: websocket
            Connection: Upgrade
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
            Sec-WebSocket-Version: 13
            """);

        Assert.Equal(502, response.Status);
        Assert.Contains(CertificateFacts.Fingerprint(upstream.Certificate!), response.Body);
        Assert.Contains("upstream_tls.verify: false", response.Body);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Pin_MatchingKey_Accepted()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        var pin = CertificateFacts.SpkiPin(upstream.Certificate!);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: $"upstream_tls: {{ pin_sha256: [\"{pin}\"] }}"));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/pinned"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/pinned", Assert.Single(upstream.Requests).Path);
    }

    [Fact]
    public async Task Ca_SigningCa_Accepted_OtherCa_Rejected()
    {
        var (ca, leaf) = TestCertificates.CreateCaAndLeaf();
        var (otherCa, _) = TestCertificates.CreateCaAndLeaf();
        await using var upstream = await TestUpstream.StartAsync(https: true, certificate: leaf);
        var directory = TempDirectory.Create();
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "other-ca.pem"), otherCa.ExportCertificatePem());

        await using (var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: "upstream_tls: { ca: ca.pem }"), directory))
        {
            using var client = proxy.CreateClient();
            using var response = await client.GetAsync(proxy.Https("localhost", "/"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using (var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: "upstream_tls: { ca: other-ca.pem }"), directory))
        {
            using var client = proxy.CreateClient();
            using var response = await client.GetAsync(proxy.Https("localhost", "/"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("upstream_tls.ca", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task VerifyFalse_AnyCertificateAccepted_WebSocketsToo()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, routeExtra: "upstream_tls: { verify: false }"));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));
        using var socket = await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("over tls", await WebSocketTests.EchoAsync(socket, "over tls"));
        Assert.Contains(proxy.Log.Lines, line => line.Contains("NOT verified"));
    }
}
