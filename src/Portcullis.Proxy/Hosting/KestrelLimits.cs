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
        // Kestrel's cap is the configured limit itself: it answers 431 as soon as that many header
        // bytes have arrived, whether or not the client sends more. A higher cap (this was twice the
        // limit) leaves a client that sent more than the limit, and waits, without an answer until
        // timeouts.client_header: curl 7.88 over TLS sends at most 128 KiB of a request's headers,
        // then waits. Kestrel's HTTP/1.x answer gets HSTS and its access-log line in EdgeConnections;
        // over HTTP/2 Kestrel itself allows twice the cap before it resets the connection, answering
        // 431 in between. RequestScreening still answers 431 with HSTS where its count (RFC 9112
        // lines) passes the limit first.
        var headerCap = (int)Math.Min(int.MaxValue / 2, config.Limits.MaxRequestHeadersBytes);
        limits.MaxRequestHeadersTotalSize = headerCap;
        limits.MaxRequestLineSize = (int)config.Limits.MaxRequestLineBytes;
        limits.MaxRequestBodySize = config.Limits.MaxRequestBodyBytes;
        limits.RequestHeadersTimeout = config.Timeouts.ClientHeader;
        limits.KeepAliveTimeout = config.Timeouts.KeepAlive;
        limits.MinRequestBodyDataRate = config.Limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(config.Limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        limits.Http2.MaxStreamsPerConnection = config.Limits.MaxStreamsPerConnection;
        // One HTTP/2 header field can hold a whole large cookie. Twice the cap, as Kestrel's HTTP/2
        // total allows: a field between the two gets a 431, not a COMPRESSION_ERROR for the connection.
        limits.Http2.MaxRequestHeaderFieldSize = headerCap * 2;
    }
}
