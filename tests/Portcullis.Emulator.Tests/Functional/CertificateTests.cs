using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Functional;

public class CertificateTests
{
    [Fact]
    public async Task Certificate_LooksLikeAuthentiksDefault()
    {
        await using var server = await TestEmulator.StartAsync();
        var certificate = server.Certificate;

        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        using var key = certificate.GetECDsaPublicKey();

        Assert.Equal("authentik default certificate", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=authentik", certificate.Subject);
        Assert.Equal(["*"], san.EnumerateDnsNames());
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, key.ExportParameters(false).Curve.Oid.Value);
        Assert.Equal(365, (certificate.NotAfter - certificate.NotBefore).TotalDays, precision: 3);
        Assert.Equal(certificate.Subject, certificate.Issuer);
    }

    [Fact]
    public async Task Https_ServesTheGeneratedCertificate_WithH2AndHttp11ByAlpn()
    {
        await using var server = await TestEmulator.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.HttpsUrls[0].Host, server.HttpsUrls[0].Port, TestEmulator.TimeoutToken());
        await using var tls = new SslStream(tcp.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "auth.example.com",
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, TestEmulator.TimeoutToken());

        Assert.True(TestEmulator.IsEmulatorCertificate(server, tls.RemoteCertificate));
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task EachStart_GeneratesANewCertificate()
    {
        await using var first = await TestEmulator.StartAsync();
        await using var second = await TestEmulator.StartAsync();

        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
    }
}
