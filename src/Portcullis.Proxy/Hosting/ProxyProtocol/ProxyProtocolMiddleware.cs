using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>
/// Kestrel connection middleware for listen.proxy_protocol: every connection must start with a
/// PROXY protocol header (v1 or v2) from a peer in trusted_proxies, and the client it carries
/// becomes the connection's remote endpoint, so X-Forwarded-For, the access log and the
/// per-client connection limit see the client, not the load balancer. Runs first on a listener,
/// before the connection limiter and the TLS handshake; the bytes after the header stay in the
/// pipe for them. Reads the current model per connection, like <see cref="ClientConnectionLimiter"/>,
/// so a reload of trusted_proxies or timeouts.client_header applies to new connections.
/// </summary>
public sealed class ProxyProtocolMiddleware(Func<RuntimeModelHolder> models, Func<ILogger> logger)
{
    // One warning per kind and 10 s: every refused connection would otherwise write a line, and
    // anyone who reaches the port can open connections faster than a disk fills slowly.
    private readonly LogThrottle _untrustedLines = new(TimeSpan.FromSeconds(10));
    private readonly LogThrottle _refusedLines = new(TimeSpan.FromSeconds(10));

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var model = models().Current;
        var peer = connection.RemoteEndPoint as IPEndPoint;
        // proxy-protocol.txt section 5: a header is believed only from known sources, otherwise
        // any client could choose the address authentik logs and rate-limits.
        if (!model.Trusted.Contains(peer?.Address))
        {
            if (_untrustedLines.TryLog(out var leftOut))
            {
                logger().LogWarning("PROXY protocol: connection from {Peer} closed: listen.proxy_protocol is on and the peer is not in trusted_proxies{LeftOut}",
                    Describe(peer), _untrustedLines.Suffix(leftOut));
            }

            return; // Returning closes the connection, before anything is read.
        }

        var timeout = model.Config.Timeouts.ClientHeader;
        var (header, problem) = await ReadHeaderAsync(connection.Transport.Input, timeout);
        if (header is null)
        {
            if (problem is null)
            {
                // Connected and closed without a byte: a load balancer's TCP health check. Nothing
                // was refused, and one line per check would bury the lines that matter.
                logger().LogDebug("PROXY protocol: connection from {Peer} closed before sending anything", Describe(peer));
            }
            else
            {
                if (_refusedLines.TryLog(out var leftOut))
                {
                    logger().LogWarning("PROXY protocol: connection from {Peer} closed: {Problem}{LeftOut}", Describe(peer), problem, _refusedLines.Suffix(leftOut));
                }
            }

            return;
        }

        if (header.Value.Status == ProxyHeaderStatus.Proxied)
        {
            // Kestrel builds HttpContext.Connection from these after the connection middleware ran.
            connection.RemoteEndPoint = header.Value.Source;
            connection.LocalEndPoint = header.Value.Destination;
        }

        await next(connection);
    };

    /// <summary>
    /// Reads until the parser has a complete header or refuses the bytes, for at most
    /// <paramref name="timeout"/> (a header that trickles in is a slowloris like any other; section 2
    /// lets the receiver abort when the header is not seen in time). Consumes exactly the header.
    /// </summary>
    /// <returns>The header; or no header and the problem to log; or neither: closed before sending a byte.</returns>
    private static async ValueTask<(ProxyHeaderResult? Header, string? Problem)> ReadHeaderAsync(PipeReader input, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, $"no complete PROXY protocol header within {ValueParsers.FormatDuration(timeout)} (timeouts.client_header)");
            }

            var buffer = read.Buffer;
            var header = ProxyHeaderParser.Parse(buffer);
            if (header.Status is ProxyHeaderStatus.Proxied or ProxyHeaderStatus.Local)
            {
                input.AdvanceTo(buffer.GetPosition(header.Length));
                return (header, null);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (header.Status == ProxyHeaderStatus.Invalid)
            {
                return (null, header.Reason);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                return buffer.IsEmpty
                    ? (null, null)
                    : (null, $"the connection ended after {buffer.Length} byte(s), inside the PROXY protocol header");
            }
        }
    }

    private static string Describe(IPEndPoint? peer) => peer is null ? "an unknown peer" : ForwardedHeaders.FormatAddress(peer.Address) + ":" + peer.Port;
}
