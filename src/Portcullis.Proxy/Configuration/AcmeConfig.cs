namespace Portcullis.Proxy.Configuration;

/// <summary>
/// acme: automatic certificates (RFC 8555) for every site without tls.certificate. Absent (null in
/// <see cref="ProxyConfig.Acme"/>) unless the section is written; then email is required.
/// </summary>
public sealed record AcmeConfig
{
    /// <summary>acme.email: the account's contact (sent as mailto:, RFC 8555 §7.3); the CA writes here before a certificate expires.</summary>
    public required string Email { get; init; }

    /// <summary>acme.directory: the CA's directory URL; Let's Encrypt's production one by default.</summary>
    public Uri Directory { get; init; } = new(Tls.Acme.AcmeDirectories.LetsEncryptProduction);

    /// <summary>acme.ca: a PEM file with extra CA certificates trusted for the ACME server itself (a private CA: step-ca, pebble); null trusts the system's roots only.</summary>
    public string? CaPath { get; init; }

    /// <summary>Where the acme section was written, for errors and warnings about it.</summary>
    public required ConfigLocation Location { get; init; }
}
