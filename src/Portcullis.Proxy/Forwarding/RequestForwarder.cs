using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Portcullis.Proxy.Utilities;
using Yarp.ReverseProxy.Forwarder;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// Sends an HTTP request upstream through YARP's forwarder, with one retry rule and one way of
/// telling the client and the log what went wrong. An idempotent request without a body that
/// could not connect is tried on the route's next server before the client sees an error.
/// </summary>
public sealed class RequestForwarder(IHttpForwarder forwarder, ILogger logger)
{
    /// <summary>Where upstream failures are reported for the metrics; null when nobody listens.</summary>
    public ForwardingEvents? Events { get; init; }

    /// <returns>The upstream the request went to last, for the access log.</returns>
    public async Task<string> ForwardAsync(HttpContext context, RuntimeModel model, Route route, OutboundRequest outbound)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey(HeaderNames.Upgrade))
        {
            // Only WebSocket upgrades are passed on; an h2c or other upgrade would let a client
            // talk to the upstream past Portcullis (h2c smuggling).
            context.Features.Set<IHttpUpgradeFeature>(null);
            outbound.Drop(HeaderNames.Upgrade);
        }

        var cluster = route.Cluster;
        var transformer = new ForwardingTransformer(outbound);
        var attempts = CanRetry(request) ? cluster.Destinations.Count : 1;
        for (var attempt = 1; ; attempt++)
        {
            var prefix = cluster.Prefix(cluster.Pick());
            var error = await forwarder.SendAsync(context, prefix, cluster.Client.Invoker, model.RequestConfig, transformer);
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
                continue;
            }

            await ReportAsync(context, cluster, prefix, error, failure?.Exception);
            return prefix;
        }
    }

    private async Task ReportAsync(HttpContext context, UpstreamCluster cluster, string prefix, ForwarderError error, Exception? exception)
    {
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled)
        {
            return; // The client left; nobody to answer.
        }

        if (error is ForwarderError.RequestBodyClient && ExceptionChain.Find<BadHttpRequestException>(exception) is { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is larger than limits.max_request_body.");
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
        Events?.ReportUpstreamFailed(cluster, UpstreamErrorClassifier.Classify(timedOut, exception));
        if (context.Response.HasStarted)
        {
            return; // A response in progress was cut: YARP aborted the connection, never a truncated "complete" response.
        }

        var status = timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
        await ProxyResponses.WriteAsync(context, status, $"The upstream {prefix} failed: {reason}");
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
