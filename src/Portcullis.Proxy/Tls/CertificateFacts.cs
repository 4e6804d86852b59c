using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Proxy.Tls;

/// <summary>What a user needs to recognise a certificate and trust it on purpose.</summary>
public static class CertificateFacts
{
    /// <summary>SHA-256 of the whole certificate, as browsers and openssl show it (AA:BB:…).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(pair => new string(pair)).Aggregate((a, b) => a + ":" + b);

    /// <summary>Base64 SHA-256 of the SubjectPublicKeyInfo: the value for pin_sha256 (RFC 7469 §2.4).</summary>
    public static string SpkiPin(X509Certificate2 certificate) =>
        Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>The DNS names (subject alternative names) a certificate is valid for, as a list for logs.</summary>
    public static string DnsNames(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames()).ToArray();
        return names.Length > 0 ? string.Join(", ", names) : certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }

    public static string Describe(X509Certificate2 certificate) =>
        $"subject \"{certificate.Subject}\", issuer \"{certificate.Issuer}\", SHA-256 fingerprint {Fingerprint(certificate)}, pin_sha256 {SpkiPin(certificate)}";
}
