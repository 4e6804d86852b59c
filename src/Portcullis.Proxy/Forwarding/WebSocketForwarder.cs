using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Logging;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// Carries a WebSocket to the upstream. The client may arrive over HTTP/1.1 (Upgrade) or HTTP/2
/// (extended CONNECT, RFC 8441); the upstream is always reached with an HTTP/1.1 Upgrade, the one
/// authentik speaks. The handshake goes to the upstream first, so its refusal (a 401 for an outpost
/// without a token, say) reaches the client unchanged; an answer that is neither 101 nor a refusal
/// becomes a 502, because over HTTP/2 a 2xx tells the client the WebSocket is open (RFC 8441 §5).
/// </summary>
public sealed class WebSocketForwarder(WebSocketShutdown shutdown, ILogger logger)
{
    // Headers the platform's WebSocket writes itself, or that belong to one hop only.
    private static readonly HashSet<string> HandshakeHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Host, HeaderNames.Connection, HeaderNames.Upgrade, HeaderNames.SecWebSocketKey, HeaderNames.SecWebSocketVersion,
        HeaderNames.SecWebSocketExtensions, HeaderNames.SecWebSocketProtocol, HeaderNames.TransferEncoding, HeaderNames.KeepAlive,
        HeaderNames.ProxyConnection, HeaderNames.TE, HeaderNames.ContentLength, "HTTP2-Settings",
    };

    /// <summary>Where upstream failures and open WebSockets are reported for the metrics; null when nobody listens.</summary>
    public ForwardingEvents? Events { get; init; }

    /// <returns>The upstream the WebSocket went to, for the access log.</returns>
    public async Task<string> ForwardAsync(HttpContext context, RuntimeModel model, Route route, OutboundRequest outbound)
    {
        var request = context.Request;
        var timeouts = model.Config.Timeouts;
        var prefix = route.Cluster.Prefix(route.Cluster.Pick());
        var upstream = new ClientWebSocket();
        var options = upstream.Options;
        options.HttpVersion = HttpVersion.Version11;
        options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        options.CollectHttpResponseDetails = true;
        options.KeepAliveInterval = timeouts.WebSocketPing;
        options.KeepAliveTimeout = timeouts.WebSocketPing;
        foreach (var header in request.Headers)
        {
            if (!HandshakeHeaders.Contains(header.Key) && !header.Key.StartsWith(':') && !outbound.Replaces(header.Key))
            {
                // HTTP/2 clients send each cookie as its own field; HTTP/1.1 wants one line
                // joined with "; " (RFC 9113 §8.2.3), not the ", " other headers use.
                var value = header.Key.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase)
                    ? string.Join("; ", header.Value.ToArray())
                    : header.Value.ToString();
                options.SetRequestHeader(header.Key, value);
            }
        }

        // Host unchanged, port included: Django Channels checks Origin against it.
        options.SetRequestHeader(HeaderNames.Host, request.Host.Value);
        foreach (var (name, value) in outbound.Headers)
        {
            options.SetRequestHeader(name, value);
        }

        foreach (var protocol in request.Headers.GetCommaSeparatedValues(HeaderNames.SecWebSocketProtocol))
        {
            options.AddSubProtocol(protocol);
        }

        var target = new UriBuilder(prefix + outbound.Path + request.QueryString.Value);
        target.Scheme = target.Scheme == "https" ? "wss" : "ws";

        // A block, not a using declaration: the timeout and its timer go once the handshake is done
        // instead of living as long as the WebSocket.
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            connectTimeout.CancelAfter(timeouts.UpstreamConnect + timeouts.UpstreamResponse);
            try
            {
                await upstream.ConnectAsync(target.Uri, route.Cluster.Client.Invoker, connectTimeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
            {
                upstream.Dispose();
                var status = (int)upstream.HttpStatusCode;
                if (status >= 300)
                {
                    // The upstream refused or redirected: its status and headers reach the client as is.
                    context.Response.StatusCode = status;
                    CopyResponseHeaders(upstream.HttpResponseHeaders, context.Response.Headers);
                    return prefix;
                }

                var timedOut = ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested;
                var reason = status is >= 200 and < 300
                    ? $"it answered the WebSocket handshake with {status} instead of 101 Switching Protocols: the route's upstream does not serve WebSockets at {outbound.Path}"
                    : timedOut ? "it did not answer the WebSocket handshake in time"
                    : route.Cluster.Client.CertificatePolicy.RejectionBehind(ex, target.Host) ?? ExceptionChain.InnermostMessage(ex);
                logger.LogWarning("upstream {Upstream} failed for WebSocket {Host}{Path}: {Reason}", prefix, request.Host.Value, request.Path.Value, reason);
                Events?.ReportUpstreamFailed(route.Cluster, status is >= 200 and < 300 ? UpstreamErrorReason.Other : UpstreamErrorClassifier.Classify(timedOut, ex));
                await ProxyResponses.WriteAsync(context, timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                    $"The upstream {prefix} could not be reached: {reason}");
                return prefix;
            }
        }

        CopyResponseHeaders(upstream.HttpResponseHeaders, context.Response.Headers);
        upstream.HttpResponseHeaders = null;
        WebSocket client;
        try
        {
            client = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = upstream.SubProtocol,
                KeepAliveInterval = timeouts.WebSocketPing,
                KeepAliveTimeout = timeouts.WebSocketPing,
            });
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            upstream.Abort();
            upstream.Dispose();
            logger.LogDebug("WebSocket {Path}: the client left during the handshake", request.Path.Value);
            return prefix;
        }

        var session = new WebSocketSession(client, upstream, timeouts.WebSocketIdle);
        Events?.ReportWebSocketsChanged(route.Cluster, +1);
        try
        {
            await session.RunAsync(shutdown.Closing);
        }
        finally
        {
            Events?.ReportWebSocketsChanged(route.Cluster, -1);
            client.Dispose();
            upstream.Dispose();
        }

        (context.Response.Body as CountingStream)?.Add(session.BytesToClient);
        logger.LogDebug("WebSocket {Path} ended: {Outcome}", request.Path.Value, session.Outcome);
        return prefix;
    }

    private static void CopyResponseHeaders(IReadOnlyDictionary<string, IEnumerable<string>>? from, IHeaderDictionary to)
    {
        if (from is null)
        {
            return;
        }

        foreach (var (name, values) in from)
        {
            if (!HandshakeHeaders.Contains(name) && !name.Equals(HeaderNames.SecWebSocketAccept, StringComparison.OrdinalIgnoreCase))
            {
                to[name] = values.ToArray();
            }
        }
    }
}
