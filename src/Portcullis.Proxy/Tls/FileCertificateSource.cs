using System.Security.Authentication;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// A certificate from PEM files (certbot's fullchain.pem and privkey.pem). Loading throws when the
/// files are missing, unreadable or do not pair, so a reload that meets a half-written renewal is
/// rejected and the certificate already serving stays.
/// </summary>
public sealed class FileCertificateSource(string certificatePath, string keyPath, SslProtocols protocols)
    : CertificateSource(ServerCertificate.LoadPem(certificatePath, keyPath), protocols)
{
    public string CertificatePath { get; } = certificatePath;

    public string KeyPath { get; } = keyPath;

    public override string Description => $"files {CertificatePath}, {KeyPath}";
}
