using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class TlsAlpn01CertificateTests
{
    private const string KeyAuthorization = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    [Fact]
    public void Create_Host_OnlyThatDnsNameAndTheCriticalAcmeIdentifier()
    {
        using var certificate = TlsAlpn01Certificate.Create("sso.example.com", KeyAuthorization);

        var names = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["sso.example.com"], names.EnumerateDnsNames());
        Assert.Empty(names.EnumerateIPAddresses());
        var identifier = certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid];
        Assert.NotNull(identifier);
        Assert.True(identifier.Critical);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(certificate.Subject, certificate.Issuer); // self-signed (RFC 8737 §3)
    }

    [Fact]
    public void Create_KeyAuthorization_ExtensionIsTheDerOctetStringOfItsSha256()
    {
        using var certificate = TlsAlpn01Certificate.Create("sso.example.com", KeyAuthorization);

        // Decoded with the framework's ASN.1 reader, not by hand: "Authorization ::= OCTET STRING (SIZE (32))".
        var reader = new AsnReader(certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]!.RawData, AsnEncodingRules.DER);
        var digest = reader.ReadOctetString();
        reader.ThrowIfNotEmpty();
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(KeyAuthorization)), digest);
    }
}
