using Microsoft.AspNetCore.Server.Kestrel.Core;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// The configured limits and client timeouts, as Kestrel's own. Kestrel reads its limits object
/// when a connection or request starts, not once at start-up, so applying a reloaded configuration
/// here makes these settings live for new connections and requests (tests in
/// tests/Portcullis.EndToEnd/Hosting/LiveSettingsTests.cs hold each one).
/// </summary>
public static class KestrelLimits
{
    public static void Apply(KestrelServerLimits limits, ProxyConfig config)
    {
        // Kestrel answers a 431 itself, before any site is known, so without HSTS. Its cap is set at
        // twice the configured limit; RequestScreening answers 431 between the two, with HSTS. The
        // hard cap still bounds the memory one request's headers can take.
        var headerCap = (int)Math.Min(int.MaxValue / 2, config.Limits.MaxRequestHeadersBytes) * 2;
        limits.MaxRequestHeadersTotalSize = headerCap;
        limits.MaxRequestLineSize = (int)config.Limits.MaxRequestLineBytes;
        limits.MaxRequestBodySize = config.Limits.MaxRequestBodyBytes;
        limits.RequestHeadersTimeout = config.Timeouts.ClientHeader;
        limits.KeepAliveTimeout = config.Timeouts.KeepAlive;
        limits.MinRequestBodyDataRate = config.Limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(config.Limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        limits.Http2.MaxStreamsPerConnection = config.Limits.MaxStreamsPerConnection;
        // One HTTP/2 header field can hold a whole large cookie.
        limits.Http2.MaxRequestHeaderFieldSize = headerCap;
    }
}
