using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The CSR sent to finalize an order (RFC 8555 §7.4): a fresh P-256 key, every host as a DNS
/// SAN. The subject's CN is the first host when it fits (64 characters, RFC 5280's ub-common-name);
/// CAs read the SANs, not the CN.
/// </summary>
public static class CertificateSigningRequest
{
    private const int MaxCommonNameLength = 64;

    /// <summary>A new P-256 key for a site's certificate (never the account key, RFC 8555 §11.1).</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The DER CSR for the hosts, signed by <paramref name="key"/>.</summary>
    public static byte[] Create(IReadOnlyList<string> hosts, ECDsa key)
    {
        if (hosts.Count == 0)
        {
            throw new ArgumentException("a certificate needs at least one host", nameof(hosts));
        }

        var subject = hosts[0].Length <= MaxCommonNameLength ? new X500DistinguishedName("CN=" + hosts[0]) : new X500DistinguishedName("");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        return request.CreateSigningRequest();
    }
}
