using System.Net;

namespace Portcullis.Emulator.Forwarding;

/// <summary>
/// The request as authentik concludes it is after weighing the forwarded headers: the values
/// that end up in its logs, its generated URLs and its CSRF origin check.
/// </summary>
/// <param name="Scheme">"https" or "http": X-Forwarded-Proto from a trusted peer, else the connection's.</param>
/// <param name="Host">X-Forwarded-Host from a trusted peer, else the Host header, port included.</param>
/// <param name="ClientIp">The client IP authentik would log.</param>
/// <param name="PeerIp">The TCP peer.</param>
/// <param name="PeerTrusted">Whether the TCP peer is inside the trusted proxy CIDRs.</param>
internal sealed record EffectiveRequest(string Scheme, string Host, string ClientIp, IPAddress PeerIp, bool PeerTrusted)
{
    public bool IsSecure => Scheme == "https";

    /// <summary>What Django's CsrfViewMiddleware expects the browser's Origin to be.</summary>
    public string Origin => $"{Scheme}://{Host}";
}
