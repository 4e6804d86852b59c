using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.EndToEnd.Tls;

/// <summary>
/// The tls-alpn-01 answer (RFC 8737 §3) on the HTTPS listener, as a CA's validator gets it: a TLS
/// handshake to the site's name offering only ALPN "acme-tls/1" gets the challenge certificate,
/// negotiates acme-tls/1 and is closed; every other handshake gets the site's certificate. The
/// acme directory is a closed loopback port (the issuer's orders fail and back off, which does not
/// matter here); the challenges come from the process's responder or from data_dir, filled by the test.
/// </summary>
public sealed class AcmeTlsAlpnChallengeTests
{
    private const string Host = "sso.portcullis.test";
    private const string KeyAuthorization = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
    private const string Acme = "acme:\n  email: admin@portcullis.test\n  directory: https://127.0.0.1:9/directory\n";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly List<SslApplicationProtocol> AcmeTls1Only = [TlsAlpn01ChallengeResponder.AcmeTls1];

    [Fact]
    public async Task Handshake_AcmeTls1ForPendingChallenge_ChallengeCertificateThenClosed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host) + "\n" + Acme);
        proxy.Server.Models.TlsAlpn01Challenges.Add(Host, "token", KeyAuthorization);

        await using var ssl = await HandshakeAsync(proxy.HttpsPort, Host, AcmeTls1Only);

        Assert.Equal(TlsAlpn01ChallengeResponder.AcmeTls1, ssl.NegotiatedApplicationProtocol);
        AssertChallengeCertificate(ssl.RemoteCertificate);
        // RFC 8737 §3: nothing follows the handshake; the server closes.
        Assert.Equal(0, await ssl.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Handshake_ChallengeWrittenByAnotherInstance_AnsweredFromDataDirectory()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host) + "\n" + Acme);
        var shared = TlsAlpn01ChallengeResponder.DirectoryUnder(proxy.Server.Models.Current.Config.DataDirectory);
        new TlsAlpn01ChallengeResponder(shared).Add(Host, "token", KeyAuthorization); // the instance that orders

        await using var ssl = await HandshakeAsync(proxy.HttpsPort, Host, AcmeTls1Only);

        Assert.Equal(TlsAlpn01ChallengeResponder.AcmeTls1, ssl.NegotiatedApplicationProtocol);
        AssertChallengeCertificate(ssl.RemoteCertificate);
    }

    [Fact]
    public async Task Handshake_ClientHelloInManySmallSegments_StillAnswered()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host) + "\n" + Acme);
        proxy.Server.Models.TlsAlpn01Challenges.Add(Host, "token", KeyAuthorization);

        await using var ssl = await HandshakeAsync(proxy.HttpsPort, Host, AcmeTls1Only, stream => new ChunkedWriteStream(stream, chunkSize: 16));

        Assert.Equal(TlsAlpn01ChallengeResponder.AcmeTls1, ssl.NegotiatedApplicationProtocol);
        AssertChallengeCertificate(ssl.RemoteCertificate);
    }

    [Fact]
    public async Task Handshake_HttpClientWhileChallengePending_SiteCertificateAndUpstreamAnswer()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host) + "\n" + Acme);
        proxy.Server.Models.TlsAlpn01Challenges.Add(Host, "token", KeyAuthorization);
        X509Certificate2? served = null;
        using var client = proxy.CreateClient(configure: handler =>
        {
            PortcullisInstance.ResolveToLoopback(handler);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                served = certificate as X509Certificate2;
                return true;
            };
        });

        using var response = await client.GetAsync(proxy.Https(Host));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(served?.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Handshake_AcmeTls1WithNothingPending_NoChallengeCertificate()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host) + "\n" + Acme);

        // No ALPN protocol in common (RFC 7301 §3.2): the handshake fails, and nothing that
        // could pass for a validation is sent.
        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(proxy.HttpsPort, Host, AcmeTls1Only));
    }

    [Fact]
    public async Task Handshake_AcmeOff_AcmeTls1GetsNoChallengeCertificate()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, Host));
        proxy.Server.Models.TlsAlpn01Challenges.Add(Host, "token", KeyAuthorization);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(proxy.HttpsPort, Host, AcmeTls1Only));
    }

    private static void AssertChallengeCertificate(X509Certificate? remote)
    {
        var certificate = Assert.IsType<X509Certificate2>(remote);
        Assert.Equal([Host], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        var identifier = certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid];
        Assert.NotNull(identifier);
        Assert.True(identifier.Critical);
        Assert.Equal(TlsAlpn01Certificate.ExtensionValue(KeyAuthorization), identifier.RawData);
    }

    private static async Task<SslStream> HandshakeAsync(int port, string host, List<SslApplicationProtocol> protocols, Func<Stream, Stream>? wrap = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(wrap?.Invoke(tcp.GetStream()) ?? tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ApplicationProtocols = protocols,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // a validator trusts no chain (RFC 8737 §3)
            }).WaitAsync(Timeout);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }
}
