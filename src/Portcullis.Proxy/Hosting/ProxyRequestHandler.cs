using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Logging;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// One request's way through Portcullis, in the order of shared/DESIGN.md. Each step is a
/// numbered comment; every step reads the one runtime model taken at the start.
/// </summary>
public sealed class ProxyRequestHandler(
    RuntimeModelHolder models,
    IHttpForwarder forwarder,
    WebSocketForwarder webSockets,
    ListenerAddresses listeners,
    AccessLog? accessLog,
    ILogger logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var model = models.Current;
        var request = context.Request;
        string? upstream = null;
        CountingStream? counter = null;
        if (accessLog is not null)
        {
            counter = new CountingStream(context.Response.Body);
            context.Response.Body = counter;
        }

        try
        {
            upstream = await HandleAsync(context, model);
        }
        finally
        {
            accessLog?.Write(context, ForwardedHeaders.ClientAddress(context, model.Trusted), upstream,
                counter!.Written, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <returns>The upstream the request went to, for the access log.</returns>
    private async Task<string?> HandleAsync(HttpContext context, RuntimeModel model)
    {
        var request = context.Request;

        // :: Step 1: the site, by Host. A host no site names is never forwarded: an identity
        // provider that builds links from Host must not answer under an attacker's name.
        var site = model.Sites.Find(HostNames.HostPart(request.Host.Value));
        if (site is null)
        {
            var status = request.IsHttps ? StatusCodes.Status421MisdirectedRequest : StatusCodes.Status404NotFound;
            await ProxyResponses.WriteAsync(context, status, $"No site is configured for host '{request.Host.Value}'.", null);
            return null;
        }

        if (request.IsHttps)
        {
            // The TLS name and the Host must name the same site (RFC 9110 §7.4): otherwise a
            // connection opened for one site could carry requests for another.
            var sni = context.Features.Get<ITlsHandshakeFeature>()?.HostName;
            if (!string.IsNullOrEmpty(sni) && !ReferenceEquals(model.Sites.Find(sni), site))
            {
                await ProxyResponses.WriteAsync(context, StatusCodes.Status421MisdirectedRequest,
                    $"This connection was opened for '{sni}', not '{request.Host.Value}'.", site.Hsts);
                return null;
            }
        }
        else if (site.RedirectHttp)
        {
            // :: Step 2: plain HTTP goes to HTTPS, keeping a non-standard port.
            ProxyResponses.Redirect(context, HttpsRedirect.Location(request, model.Config.Listen.HttpsPort ?? listeners.HttpsPort), null);
            return null;
        }

        // :: Step 3: requests the upstream could read differently, or cannot serve at all.
        var upgrade = request.Headers[HeaderNames.Upgrade];
        if (upgrade.Count > 0 && HttpProtocol.IsHttp10(request.Protocol))
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status426UpgradeRequired,
                "WebSockets need HTTP/1.1: HTTP/1.0 has no protocol upgrade (RFC 6455 §4.1). Use a client or proxy that speaks HTTP/1.1.", site.Hsts);
            return null;
        }

        if (RequestScreening.Check(request, model.Config.Limits.MaxRequestHeadersBytes) is { } rejection)
        {
            await ProxyResponses.WriteAsync(context, rejection.Status, rejection.Message, site.Hsts, rejection.Close);
            return null;
        }

        var maxBody = model.Config.Limits.MaxRequestBodyBytes;
        if (request.ContentLength > maxBody)
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBody} bytes (limits.max_request_body).", site.Hsts);
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxBody;
        }

        // :: Step 4: the route, by longest path prefix.
        var route = site.Match(request.Path.Value ?? "/");
        if (route is null)
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status404NotFound, $"No route of this site matches '{request.Path.Value}'.", site.Hsts);
            return null;
        }

        // :: Step 5: WebSockets are carried message by message, to an HTTP/1.1 Upgrade upstream.
        var cluster = route.Cluster;
        var destination = cluster.Pick();
        if (context.WebSockets.IsWebSocketRequest)
        {
            return await ForwardWebSocketAsync(context, model, site, route, destination);
        }

        if (upgrade.Count > 0)
        {
            // Only WebSocket upgrades are passed on; an h2c or other upgrade would let a client
            // talk to the upstream past Portcullis (h2c smuggling).
            context.Features.Set<IHttpUpgradeFeature>(null);
            request.Headers.Remove(HeaderNames.Upgrade);
        }

        // :: Step 6: forward. An idempotent request without a body that could not connect is
        // tried on the next upstream server before the client sees an error.
        var attempts = CanRetry(request) ? cluster.Destinations.Count : 1;
        for (var attempt = 1; ; attempt++)
        {
            var prefix = cluster.Prefix(destination);
            var error = await forwarder.SendAsync(context, prefix, cluster.Client.Invoker, model.RequestConfig, route.Transformer);
            if (error == ForwarderError.None)
            {
                return prefix;
            }

            // The passive health check (Health/PassiveHealthHandler.cs, in the client's handler
            // chain) has already taken a server that refused the connection out of rotation.
            var failure = context.Features.Get<IForwarderErrorFeature>();
            var connectFailed = error == ForwarderError.Request && ExceptionChain.Find<SocketException>(failure?.Exception) is not null;
            if (connectFailed && attempt < attempts && !context.Response.HasStarted)
            {
                context.Response.Clear();
                destination = cluster.Pick();
                continue;
            }

            await ReportUpstreamErrorAsync(context, site, cluster, prefix, error, failure?.Exception);
            return prefix;
        }
    }

    private async Task<string?> ForwardWebSocketAsync(HttpContext context, RuntimeModel model, Site site, Route route, int destination)
    {
        var prefix = route.Cluster.Prefix(destination);
        if (site.Hsts is not null && context.Request.IsHttps)
        {
            context.Response.Headers[HeaderNames.StrictTransportSecurity] = site.Hsts;
        }

        var outcome = await webSockets.ForwardAsync(context, route, destination, model);
        (context.Response.Body as CountingStream)?.Add(outcome.BytesToClient);
        if (outcome.Error is not null)
        {
            logger.LogWarning("upstream {Upstream} failed for WebSocket {Host}{Path}: {Reason}", prefix, context.Request.Host.Value, context.Request.Path.Value, outcome.Error);
            await ProxyResponses.WriteAsync(context, outcome.Status, $"The upstream {prefix} could not be reached: {outcome.Error}", site.Hsts);
        }
        else if (outcome.Detail is not null)
        {
            logger.LogDebug("WebSocket {Path} ended: {Outcome}", context.Request.Path.Value, outcome.Detail);
        }

        return prefix;
    }

    private async Task ReportUpstreamErrorAsync(HttpContext context, Site site, UpstreamCluster cluster, string prefix, ForwarderError error, Exception? exception)
    {
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled)
        {
            return; // The client left; nobody to answer.
        }

        if (error is ForwarderError.RequestBodyClient && ExceptionChain.Find<BadHttpRequestException>(exception) is { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is larger than limits.max_request_body.", site.Hsts);
            return;
        }

        if (error is ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient)
        {
            return; // The client's side failed; YARP has answered or aborted as the protocol allows.
        }

        var timedOut = error == ForwarderError.RequestTimedOut;
        var host = new Uri(prefix).IdnHost;
        var reason = timedOut
            ? "it did not answer within timeouts.upstream_response"
            : cluster.Client.CertificatePolicy.RejectionBehind(exception, host) ?? Describe(error, exception);
        logger.LogWarning("upstream {Upstream} failed for {Method} {Host}{Path}: {Reason}", prefix, context.Request.Method, context.Request.Host.Value, context.Request.Path.Value, reason);
        if (context.Response.HasStarted)
        {
            return; // A response in progress was cut: YARP aborted the connection, never a truncated "complete" response.
        }

        var status = timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
        await ProxyResponses.WriteAsync(context, status, $"The upstream {prefix} failed: {reason}", site.Hsts);
    }

    private static bool CanRetry(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        && request.ContentLength is null or 0 && !request.Headers.ContainsKey(HeaderNames.TransferEncoding);

    private static string Describe(ForwarderError error, Exception? exception)
    {
        var what = error switch
        {
            ForwarderError.Request => "the request could not be sent",
            ForwarderError.ResponseHeaders => "its response headers were invalid or too large",
            ForwarderError.ResponseBodyDestination => "it closed the connection in the middle of the response",
            ForwarderError.RequestBodyDestination => "it stopped reading the request body",
            _ => error.ToString(),
        };
        return exception is null ? what : $"{what} ({ExceptionChain.InnermostMessage(exception)})";
    }
}
