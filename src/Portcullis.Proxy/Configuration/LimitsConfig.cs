namespace Portcullis.Proxy.Configuration;

/// <summary>Size limits, chosen for identity providers: large session cookies and JWTs.</summary>
public sealed record LimitsConfig
{
    /// <summary>
    /// All request headers together, counted as HTTP/1.1 lines; authentik's cookies can pass 16 KiB.
    /// Over it: 431 with the site's HSTS header. Kestrel's own cap is twice this: past that it
    /// answers a bare 431 (HTTP/1.1) or resets (HTTP/2) before any site is known.
    /// </summary>
    public long MaxRequestHeadersBytes { get; init; } = 64 * 1024;

    /// <summary>The request line; OAuth redirects carry long query strings.</summary>
    public long MaxRequestLineBytes { get; init; } = 16 * 1024;

    /// <summary>A request body; blueprint and icon uploads. Over it: 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>All response headers from the upstream (nginx's "upstream sent too big header").</summary>
    public long MaxResponseHeadersBytes { get; init; } = 128 * 1024;

    /// <summary>
    /// Concurrent HTTP/2 streams one client connection may open; more are refused with
    /// REFUSED_STREAM. 100 is what browsers expect (RFC 9113 §6.5.2 recommends at least 100).
    /// </summary>
    public int MaxStreamsPerConnection { get; init; } = 100;

    /// <summary>
    /// Connections one client IP address may hold open at once; more are closed at accept, before
    /// TLS. 256 leaves room for a whole office behind one NAT address (a browser opens about 6
    /// HTTP/1.1 connections or one HTTP/2 connection per site) while one host cannot take every
    /// socket. Peers in trusted_proxies are exempt: a load balancer carries many clients.
    /// </summary>
    public int MaxConnectionsPerClient { get; init; } = 256;

    /// <summary>
    /// The slowest request body accepted, in bytes per second, after a 5 s grace period; a slower
    /// client is cut (slow-body attacks hold a connection and an upstream request open). 240 is
    /// Kestrel's default: a 2G phone still passes. 0 turns it off.
    /// </summary>
    public long MinRequestBodyBytesPerSecond { get; init; } = 240;
}
