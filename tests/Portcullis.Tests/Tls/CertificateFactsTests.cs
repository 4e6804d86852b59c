using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Tls;

public class CertificateFactsTests
{
    internal static X509Certificate2 SelfSigned(string host) => SelfSignedCertificateStore.Create([host]);

    [Fact]
    public void Fingerprint_Certificate_IsColonSeparatedSha256OfTheDer()
    {
        using var certificate = SelfSigned("upstream.test");

        var fingerprint = CertificateFacts.Fingerprint(certificate);

        Assert.Equal(32 * 3 - 1, fingerprint.Length);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);
        Assert.Equal(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), fingerprint.Replace(":", ""));
    }

    [Fact]
    public void SpkiPin_Certificate_IsBase64Sha256OfSubjectPublicKeyInfo()
    {
        using var certificate = SelfSigned("upstream.test");

        var pin = CertificateFacts.SpkiPin(certificate);

        var expected = Convert.ToBase64String(SHA256.HashData(certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo()));
        Assert.Equal(expected, pin);
        Assert.Equal(44, pin.Length);
    }

    [Fact]
    public void SpkiPin_SameKeyNewCertificate_StaysTheSame()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=upstream.test", key, HashAlgorithmName.SHA256);
        using var first = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var renewed = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));

        Assert.Equal(CertificateFacts.SpkiPin(first), CertificateFacts.SpkiPin(renewed));
        Assert.NotEqual(CertificateFacts.Fingerprint(first), CertificateFacts.Fingerprint(renewed));
    }

    [Fact]
    public void Describe_Certificate_NamesSubjectIssuerFingerprintAndPin()
    {
        using var certificate = SelfSigned("upstream.test");

        var text = CertificateFacts.Describe(certificate);

        Assert.Equal(
            $"subject \"CN=upstream.test\", issuer \"CN=upstream.test\", SHA-256 fingerprint {CertificateFacts.Fingerprint(certificate)}, pin_sha256 {CertificateFacts.SpkiPin(certificate)}",
            text);
    }
}
