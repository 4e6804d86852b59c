using System.Security.Authentication;

namespace Portcullis.Proxy.Configuration;

/// <summary>The certificate a site presents. No files: a self-signed certificate is generated.</summary>
public sealed record SiteTlsConfig
{
    /// <summary>PEM certificate chain, leaf first (Let's Encrypt's fullchain.pem).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key (Let's Encrypt's privkey.pem).</summary>
    public string? KeyPath { get; init; }

    /// <summary>TLS 1.3 unless "1.2" is asked for, as authentik's guide advises.</summary>
    public SslProtocols MinVersion { get; init; } = SslProtocols.Tls13;
}
