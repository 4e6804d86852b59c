using System.Security.Authentication;

namespace Portcullis.Proxy.Configuration;

/// <summary>The certificate a site presents. No files: one from ACME when acme is on, else a self-signed one is generated.</summary>
public sealed record SiteTlsConfig
{
    /// <summary>PEM certificate chain, leaf first (Let's Encrypt's fullchain.pem).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key (Let's Encrypt's privkey.pem).</summary>
    public string? KeyPath { get; init; }

    /// <summary>
    /// tls.acme: false keeps a site without files on a self-signed certificate while acme is on
    /// (a name no public CA can validate: an internal one, or one only a VPN reaches).
    /// </summary>
    public bool Acme { get; init; } = true;

    /// <summary>TLS 1.3 unless "1.2" is asked for, as authentik's guide advises.</summary>
    public SslProtocols MinVersion { get; init; } = SslProtocols.Tls13;
}
