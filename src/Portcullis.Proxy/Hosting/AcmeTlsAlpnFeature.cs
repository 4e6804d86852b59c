namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Set on a connection whose ClientHello offers ALPN "acme-tls/1" (RFC 8737 §6.2): an ACME CA
/// validating tls-alpn-01. The handshake callback then serves the challenge certificate.
/// </summary>
internal sealed class AcmeTlsAlpnFeature
{
    public static readonly AcmeTlsAlpnFeature Instance = new();

    private AcmeTlsAlpnFeature()
    {
    }
}
