namespace Portcullis.Emulator;

/// <summary>How the emulator picks the client IP out of X-Forwarded-For from a trusted peer.</summary>
public enum ClientIpMode
{
    /// <summary>
    /// authentik up to 2026.5: the leftmost X-Forwarded-For entry, else X-Real-IP, else
    /// <c>Forwarded: for=</c> (gorilla/handlers ProxyHeaders), validated as an IP by Django's
    /// ClientIPMiddleware. A proxy that appends to a client-supplied X-Forwarded-For lets the
    /// client choose this IP (CVE-2023-36456 family).
    /// </summary>
    Leftmost,

    /// <summary>
    /// authentik from 2026.8.1: walk X-Forwarded-For from the right, skip entries inside the
    /// trusted CIDRs, take the first untrusted one; if every entry is trusted, the leftmost
    /// (2026.8.0 took the plain rightmost entry, issue #25393).
    /// </summary>
    RightmostUntrusted,
}
