namespace Portcullis.Proxy.Configuration;

/// <summary>Size limits, chosen for identity providers: large session cookies and JWTs.</summary>
public sealed record LimitsConfig
{
    /// <summary>All request headers together; authentik's cookies can pass 16 KiB. Over it: 431.</summary>
    public long MaxRequestHeadersBytes { get; init; } = 64 * 1024;

    /// <summary>The request line; OAuth redirects carry long query strings.</summary>
    public long MaxRequestLineBytes { get; init; } = 16 * 1024;

    /// <summary>A request body; blueprint and icon uploads. Over it: 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>All response headers from the upstream (nginx's "upstream sent too big header").</summary>
    public long MaxResponseHeadersBytes { get; init; } = 128 * 1024;

    /// <summary>Concurrent HTTP/2 streams one client connection may open.</summary>
    public int MaxStreamsPerConnection { get; init; } = 100;
}
