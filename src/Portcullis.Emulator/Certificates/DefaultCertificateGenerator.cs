using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Emulator.Certificates;

/// <summary>
/// Makes the self-signed certificate authentik serves on :9443 when no brand or provider
/// certificate matches the SNI: O=authentik, CN "authentik default certificate", SAN DNS "*",
/// valid 365 days from now, digitalSignature + keyEncipherment, serverAuth
/// (goauthentik/authentik, rcgen-based generate_self_signed_cert; the Go server's
/// GenerateSelfSignedCert has the same names). A new one on every start, as authentik
/// regenerates it, so a proxy that pins it breaks.
/// </summary>
internal static class DefaultCertificateGenerator
{
    public const string CommonName = "authentik default certificate";

    public static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedName($"CN={CommonName}, O=authentik");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("*");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));

        var now = time.GetUtcNow();
        using var ephemeral = request.CreateSelfSigned(now, now.AddDays(365));

        // A PKCS#12 round trip gives the private key a form every TLS stack can use
        // (SslStream on Windows refuses ephemeral keys).
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
