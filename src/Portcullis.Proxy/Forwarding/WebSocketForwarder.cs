using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// Carries a WebSocket to the upstream. The client may arrive over HTTP/1.1 (Upgrade) or HTTP/2
/// (extended CONNECT, RFC 8441); the upstream is always reached with an HTTP/1.1 Upgrade, the one
/// authentik speaks. The handshake goes to the upstream first, so its answer (a 401 for an outpost
/// without a token, say) reaches the client unchanged when it refuses.
/// </summary>
public sealed class WebSocketForwarder(WebSocketShutdown shutdown)
{
    // Headers the platform's WebSocket writes itself, or that belong to one hop only.
    private static readonly HashSet<string> HandshakeHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Host, HeaderNames.Connection, HeaderNames.Upgrade, HeaderNames.SecWebSocketKey, HeaderNames.SecWebSocketVersion,
        HeaderNames.SecWebSocketExtensions, HeaderNames.SecWebSocketProtocol, HeaderNames.TransferEncoding, HeaderNames.KeepAlive,
        HeaderNames.ProxyConnection, HeaderNames.TE, HeaderNames.ContentLength, "HTTP2-Settings",
    };

    /// <param name="BytesToClient">Message bytes relayed to the client during the session.</param>
    public sealed record Outcome(int Status, string? Error, string? Detail, long BytesToClient = 0);

    public async Task<Outcome> ForwardAsync(HttpContext context, Route route, int destination, RuntimeModel model)
    {
        var request = context.Request;
        var peerTrusted = model.Trusted.Contains(context.Connection.RemoteIpAddress);
        ForwardedHeaders.Strip(request.Headers, peerTrusted);

        var upstream = new ClientWebSocket();
        var options = upstream.Options;
        options.HttpVersion = HttpVersion.Version11;
        options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        options.CollectHttpResponseDetails = true;
        options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        foreach (var header in request.Headers)
        {
            if (!HandshakeHeaders.Contains(header.Key) && !header.Key.StartsWith(':'))
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
        var (forwardedFor, proto, host) = ForwardedHeaders.Compute(context, peerTrusted);
        options.SetRequestHeader(ForwardedHeaders.XForwardedFor, forwardedFor);
        options.SetRequestHeader(ForwardedHeaders.XForwardedProto, proto);
        options.SetRequestHeader(ForwardedHeaders.XForwardedHost, host);
        foreach (var protocol in request.Headers.GetCommaSeparatedValues(HeaderNames.SecWebSocketProtocol))
        {
            options.AddSubProtocol(protocol);
        }

        var prefix = route.Cluster.Prefix(destination);
        var target = new UriBuilder(prefix + route.Prefix.UpstreamPath(request.Path.Value ?? "/") + request.QueryString.Value);
        target.Scheme = target.Scheme == "https" ? "wss" : "ws";

        // A block, not a using declaration: the timeout and its timer go once the handshake is done
        // instead of living as long as the WebSocket.
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            connectTimeout.CancelAfter(model.Config.Timeouts.UpstreamConnect + model.Config.Timeouts.UpstreamResponse);
            try
            {
                await upstream.ConnectAsync(target.Uri, route.Cluster.Client.Invoker, connectTimeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
            {
                upstream.Dispose();
                if (upstream.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
                {
                    // The upstream answered, but not with 101: pass its status and headers on.
                    context.Response.StatusCode = (int)upstream.HttpStatusCode;
                    CopyResponseHeaders(upstream.HttpResponseHeaders, context.Response.Headers);
                    return new Outcome((int)upstream.HttpStatusCode, null, null);
                }

                var timedOut = ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested;
                return new Outcome(timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                    timedOut ? "the upstream did not answer the WebSocket handshake in time"
                        : route.Cluster.Client.CertificatePolicy.RejectionBehind(ex, target.Host) ?? ExceptionChain.InnermostMessage(ex), null);
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
                KeepAliveInterval = TimeSpan.FromSeconds(30),
            });
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            upstream.Abort();
            upstream.Dispose();
            return new Outcome(StatusCodes.Status400BadRequest, "the client left during the WebSocket handshake", null);
        }

        var session = new WebSocketSession(client, upstream, model.Config.Timeouts.WebSocketIdle);
        try
        {
            await session.RunAsync(shutdown.Closing);
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }

        return new Outcome(StatusCodes.Status101SwitchingProtocols, null, session.Outcome, session.BytesToClient);
    }

    private static void CopyResponseHeaders(IReadOnlyDictionary<string, IEnumerable<string>>? from, IHeaderDictionary to)
    {
        if (from is null)
        {
            return;
        }

        foreach (var (name, values) in from)
        {
            if (!HandshakeHeaders.Contains(name) && !name.Equals(HeaderNames.SecWebSocketAccept, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderNames.StrictTransportSecurity, StringComparison.OrdinalIgnoreCase))
            {
                to[name] = values.ToArray();
            }
        }
    }
}
