using System.Net.Security;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Chooses the TLS options of a handshake from the client's SNI name (RFC 6066 §3): the site that
/// names the host, or the default site for a name no site has (or no SNI at all), whose requests
/// are then answered 421. It asks the site's <see cref="CertificateSource"/> at every handshake, so
/// a renewed certificate serves from the next connection on.
/// </summary>
/// <param name="find">The certificate source of the site for a name (exact or wildcard), null for none.</param>
/// <param name="fallback">The default site's source, null when there is no site.</param>
public sealed class SniCertificateSelector(Func<string?, CertificateSource?> find, Func<CertificateSource?> fallback)
{
    /// <exception cref="InvalidOperationException">No site at all: the handshake fails.</exception>
    public SslServerAuthenticationOptions Select(string? serverName)
    {
        var source = find(serverName) ?? fallback() ?? throw new InvalidOperationException("no site is configured");
        return source.TlsOptions;
    }
}
