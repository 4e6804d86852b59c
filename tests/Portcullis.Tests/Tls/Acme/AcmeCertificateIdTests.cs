using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeCertificateIdTests
{
    [Fact]
    public void For_Rfc9773Example_ReturnsPublishedIdentifier()
    {
        // RFC 9773 §4.1's example: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
        // serial 00:87:65:43:21 (the leading zero keeps the integer positive).
        using var certificate = Create(Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4"), Convert.FromHexString("0087654321"));

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AcmeCertificateId.For(certificate));
    }

    [Fact]
    public void For_NoAuthorityKeyIdentifier_Null()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        Assert.Null(AcmeCertificateId.For(certificate));
    }

    private static X509Certificate2 Create(byte[] authorityKeyIdentifier, byte[] serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(authorityKeyIdentifier));
        var now = DateTimeOffset.UtcNow;
        return request.Create(new X500DistinguishedName("CN=issuer"), X509SignatureGenerator.CreateForECDsa(key), now, now.AddDays(1), serial);
    }
}
