using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Logging;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Kestrel connection middleware between the TLS layer and Kestrel's HTTP layer, for what happens
/// to a request before Portcullis's handler sees it. Kestrel rejects some requests itself (bad
/// syntax 400, 408 header timeout, 414, 431, HTTP/2 protocol errors); such a rejection gets the
/// site's HSTS header (HTTP/1.x) and an access-log line, like every other answer. And every
/// connection ends with a lingering close, so that an answer given before the request was read to
/// its end reaches the client instead of being destroyed by a reset.
/// </summary>
public sealed class EdgeConnections(Func<RuntimeModelHolder> models, Func<AccessLog?> accessLog)
{
    /// <summary>nginx lingers up to 30 s (lingering_time), 5 s per read (lingering_timeout), after
    /// half-closing its side. Kestrel's transport offers no half-close once its output is handed
    /// over, so a client that waits for the close instead of reading by Content-Length would wait
    /// out the idle time: 2 s in all, 1 MiB, and 500 ms of silence, for a client still sending its
    /// request, whose bytes are already in flight.</summary>
    public static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan LingerIdle = TimeSpan.FromMilliseconds(500);

    public const long LingerBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<string, EdgeConnection> _open = new();

    /// <summary>On shutdown connections close without lingering: the drain period is for requests.</summary>
    public CancellationToken Stopping { get; set; }

    public EdgeConnection? Find(string connectionId) => _open.GetValueOrDefault(connectionId);

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var model = models().Current;
        var tls = connection.Features.Get<ITlsHandshakeFeature>();
        var sni = string.IsNullOrEmpty(tls?.HostName) ? null : tls.HostName;
        var site = sni is null ? null : model.Sites.Find(sni);
        var http2 = connection.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn
            && alpn.ApplicationProtocol.Span.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span);
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var client = address is null ? "-" : ForwardedHeaders.FormatAddress(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        var transport = connection.Transport;
        var edge = new EdgeConnection(transport, client, sni, tls is null ? null : site?.Hsts, http2, accessLog());
        _open[connection.ConnectionId] = edge;
        connection.Transport = edge;
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            _open.TryRemove(connection.ConnectionId, out _);
            await edge.LingerAndCloseAsync(LingerIdle, LingerTime, LingerBytes, Stopping);
        }
    };
}
