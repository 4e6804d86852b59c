using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// An issued certificate: the PEM chain (leaf first, as the CA sent it) and the PEM key, as they
/// are stored, with the leaf parsed for its dates and names.
/// </summary>
public sealed class AcmeCertificate
{
    private AcmeCertificate(string chainPem, string keyPem, X509Certificate2 leaf)
    {
        ChainPem = chainPem;
        KeyPem = keyPem;
        Leaf = leaf;
    }

    public string ChainPem { get; }

    /// <summary>PKCS#8 PEM of the certificate's private key.</summary>
    public string KeyPem { get; }

    /// <summary>The leaf, without its key.</summary>
    public X509Certificate2 Leaf { get; }

    public DateTimeOffset NotBefore => new(Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>
    /// Parses a chain and key; throws <see cref="CryptographicException"/> when either is damaged
    /// or the key is not the leaf's (a crash between writing the two files).
    /// </summary>
    public static AcmeCertificate FromPem(string chainPem, string keyPem)
    {
        using var withKey = X509Certificate2.CreateFromPem(chainPem, keyPem);
        var leaf = X509Certificate2.CreateFromPem(chainPem);
        return new AcmeCertificate(chainPem, keyPem, leaf);
    }

    /// <summary>A new X509Certificate2 with its private key, ready for SslStream; the caller disposes it.</summary>
    public X509Certificate2 CreateCertificateWithKey() => X509Certificate2.CreateFromPem(ChainPem, KeyPem);

    /// <summary>
    /// The certificate as the TLS listener serves one: leaf with key and the chain, with no
    /// network fetch during a handshake (the hook for a certificate source swapping it in live).
    /// </summary>
    public ServerCertificate ToServerCertificate()
    {
        var leaf = CreateCertificateWithKey();
        return new ServerCertificate(leaf, SslStreamCertificateContext.Create(leaf, CreateIntermediates(), offline: true), SelfSigned: false);
    }

    /// <summary>The intermediates that follow the leaf in the chain.</summary>
    public X509Certificate2Collection CreateIntermediates()
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPem(ChainPem);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != Leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return intermediates;
    }

    /// <summary>The DNS names of the leaf's subjectAltName.</summary>
    public IReadOnlyList<string> DnsNames()
    {
        var names = new List<string>();
        foreach (var extension in Leaf.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
            }
        }

        return names;
    }

    /// <summary>True when the leaf names exactly these hosts (case-insensitively, in any order).</summary>
    public bool Covers(IReadOnlyList<string> hosts) =>
        new HashSet<string>(DnsNames(), StringComparer.OrdinalIgnoreCase).SetEquals(hosts);
}
