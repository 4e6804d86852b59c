using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Proxy.Tls;

/// <summary>A certificate ready to serve: the leaf with its key, and the chain sent with it.</summary>
public sealed record ServerCertificate(X509Certificate2 Leaf, SslStreamCertificateContext Context, bool SelfSigned)
{
    /// <summary>Serves a certificate that has its private key, with no chain.</summary>
    public static ServerCertificate FromCertificate(X509Certificate2 certificate, bool selfSigned) =>
        new(certificate, SslStreamCertificateContext.Create(certificate, null, offline: true), selfSigned);

    /// <summary>Loads a PEM chain (leaf first, as certbot's fullchain.pem) and its PEM key.</summary>
    public static ServerCertificate LoadPem(string certificatePath, string keyPath, bool selfSigned = false)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        // offline: never fetch missing intermediates or OCSP over the network during a handshake.
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new ServerCertificate(leaf, context, selfSigned);
    }
}
