using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The self-signed certificate that answers a tls-alpn-01 challenge (RFC 8737 §3): one dNSName,
/// the host being validated, and the critical acmeIdentifier extension holding the SHA-256 of
/// the key authorization. Only the CA's validator ever sees it.
/// </summary>
public static class TlsAlpn01Certificate
{
    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    public static X509Certificate2 Create(string host, string keyAuthorization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        // RFC 8737 §3: "a subjectAltName extension containing the dNSName being validated and no other identifiers".
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, ExtensionValue(keyAuthorization), critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    /// <summary>
    /// The extension's value: "Authorization ::= OCTET STRING (SIZE (32))", the SHA-256 digest of
    /// the key authorization (RFC 8737 §3), DER-encoded as tag 0x04, length 32, the digest.
    /// </summary>
    public static byte[] ExtensionValue(string keyAuthorization)
    {
        var value = new byte[2 + SHA256.HashSizeInBytes];
        value[0] = 0x04;
        value[1] = SHA256.HashSizeInBytes;
        SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization), value.AsSpan(2));
        return value;
    }
}
