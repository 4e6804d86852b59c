namespace Portcullis.Proxy.Configuration;

/// <summary>Size limits, chosen for identity providers: large session cookies and JWTs.</summary>
public sealed record LimitsConfig
{
    /// <summary>
    /// All request headers together, counted as HTTP/1.1 lines; authentik's cookies can pass 16 KiB.
    /// Over it: 431 with the site's HSTS header, as soon as that many bytes have arrived
    /// (Hosting/PortcullisServer.cs, docs/security.md).
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
    /// Connections one client IP address may hold open at once while the server is under pressure
    /// (see <see cref="PerClientCapAboveConnections"/>); more are closed at accept, before TLS, so
    /// one host cannot take every socket. Peers in trusted_proxies are exempt: a load balancer
    /// carries many clients.
    /// </summary>
    public int MaxConnectionsPerClient { get; init; } = 256;

    /// <summary>
    /// Open client connections, all clients together, past which max_connections_per_client is
    /// enforced; below it any address may open more. An office of 300 behind one NAT address, each
    /// with authentik's UI open, holds more than 256 connections: capping it at all times locks
    /// part of it out while nothing is wrong. A flood from one address still hits the cap once the
    /// total passes this, and every other address keeps being accepted. 0: always enforced.
    /// </summary>
    public int PerClientCapAboveConnections { get; init; } = 1024;

    /// <summary>
    /// The slowest request body accepted, in bytes per second, after a 5 s grace period; a slower
    /// client is cut (slow-body attacks hold a connection and an upstream request open). 240 is
    /// Kestrel's default: a 2G phone still passes. 0 turns it off.
    /// </summary>
    public long MinRequestBodyBytesPerSecond { get; init; } = 240;
}
