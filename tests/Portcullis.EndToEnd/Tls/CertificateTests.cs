using System.Net;
using System.Security.Authentication;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Tls;

/// <summary>Point 2: PEM certificates per site by SNI, TLS 1.3 unless asked, live renewal, self-signed fallback.</summary>
public sealed class CertificateTests
{
    private static string TwoSites(Uri upstream, (string Certificate, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf) a,
        (string Certificate, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf) b, string minVersion = "\"1.3\"") => $$"""
        sites:
          - hosts: [sso.localhost]
            tls: { certificate: {{a.Certificate}}, key: {{a.Key}}, min_version: {{minVersion}} }
            routes: [{ path: /, upstream: "{{upstream}}" }]
          - hosts: [app.localhost]
            tls: { certificate: {{b.Certificate}}, key: {{b.Key}} }
            routes: [{ path: /, upstream: "{{upstream}}" }]
        """;

    [Fact]
    public async Task Sni_EachSiteGetsItsOwnCertificate_Tls13Only()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var sso = TestCertificates.WritePem(directory, "sso", "sso.localhost");
        var app = TestCertificates.WritePem(directory, "app", "app.localhost");
        await using var proxy = await PortcullisInstance.StartAsync(TwoSites(upstream.Url, sso, app), directory);

        var first = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "sso.localhost");
        var second = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "app.localhost");
        var tls12 = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "sso.localhost", SslProtocols.Tls12);

        Assert.Equal(sso.Leaf.Thumbprint, first!.Value.Certificate.Thumbprint);
        Assert.Equal(SslProtocols.Tls13, first.Value.Protocol);
        Assert.Equal(app.Leaf.Thumbprint, second!.Value.Certificate.Thumbprint);
        Assert.Null(tls12);
    }

    [Fact]
    public async Task MinVersion12_Tls12AcceptedForThatSiteOnly()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var sso = TestCertificates.WritePem(directory, "sso", "sso.localhost");
        var app = TestCertificates.WritePem(directory, "app", "app.localhost");
        await using var proxy = await PortcullisInstance.StartAsync(TwoSites(upstream.Url, sso, app, "\"1.2\""), directory);

        var sso12 = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "sso.localhost", SslProtocols.Tls12);
        var app12 = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "app.localhost", SslProtocols.Tls12);

        Assert.Equal(SslProtocols.Tls12, sso12!.Value.Protocol);
        Assert.Null(app12);
    }

    [Fact]
    public async Task CertificateFilesReplaced_NewConnectionsGetTheNewOne_OpenConnectionKeepsWorking()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var old = TestCertificates.WritePem(directory, "live", "localhost");
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: $"tls: {{ certificate: {old.Certificate}, key: {old.Key} }}"), directory);
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/before"))).EnsureSuccessStatusCode();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.Server.Models.Reloaded += errors => { if (errors.Count == 0) reloaded.TrySetResult(); };

        var renewed = TestCertificates.Write(directory, "live", Portcullis.Proxy.Tls.SelfSignedCertificateStore.Create(["localhost"], "renewed"));
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var presented = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost");
        Assert.Equal(renewed.Leaf.Thumbprint, presented!.Value.Certificate.Thumbprint);
        Assert.NotEqual(old.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        using var after = await client.GetAsync(proxy.Https("localhost", "/after"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(upstream.Connections);
    }

    [Fact]
    public async Task NoCertificate_SelfSignedGenerated_KeptAcrossRestarts_AndWarned()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        string first;
        await using (var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url), directory))
        {
            first = (await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost"))!.Value.Certificate.Thumbprint;
            Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Warning:") && line.Contains("self-signed"));
        }

        Directory.CreateDirectory(directory);
        await using var restarted = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url), directory);
        var second = (await TestCertificates.HandshakeAsync(restarted.HttpsUrl, "localhost"))!.Value.Certificate;

        Assert.Equal(first, second.Thumbprint);
        Assert.Contains("localhost", second.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false));
    }

    [Fact]
    public async Task Alpn_Http2Offered()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient(HttpVersion.Version20);

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/1.1", Assert.Single(upstream.Requests).Protocol);
    }
}
