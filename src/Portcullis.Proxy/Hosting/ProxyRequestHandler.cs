using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Admin;
using Portcullis.Proxy.Auth;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Logging;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// One request's way through Portcullis (docs/architecture.md). This type only orders the steps,
/// each a numbered comment; each step's rule lives in its own folder, and every step reads the one
/// runtime model taken at the start.
/// </summary>
public sealed class ProxyRequestHandler(
    RuntimeModelHolder models,
    ForwardAuthorizer authorizer,
    RequestForwarder requests,
    WebSocketForwarder webSockets,
    ListenerAddresses listeners,
    AccessLog accessLog)
{
    /// <summary>Request counts and durations for the admin listener's /metrics; null when admin is off.</summary>
    public PortcullisMetrics? Metrics { get; init; }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var model = models.Current;
        Handled handled = default;
        CountingStream? counter = null;
        if (accessLog.Enabled)
        {
            counter = new CountingStream(context.Response.Body);
            context.Response.Body = counter;
        }

        try
        {
            handled = await HandleAsync(context, model);
        }
        finally
        {
            Metrics?.RequestEnded(context, handled.Site, handled.Route, started);
            if (counter is not null)
            {
                accessLog.Write(context, ForwardedHeaders.ClientAddress(context, model.Trusted), handled.User, handled.Upstream,
                    counter.Written, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    /// <summary>For the access log and the metrics: the upstream (or outpost) that answered, the user forward auth named, the site and route matched.</summary>
    private readonly record struct Handled(string? Upstream, string? User, Site? Site, Route? Route);

    private async Task<Handled> HandleAsync(HttpContext context, RuntimeModel model)
    {
        var request = context.Request;

        // :: Step 0: an ACME http-01 answer (RFC 8555 §8.3, docs/acme.md). Plain HTTP only, before
        // the site lookup and the HTTPS redirect: the CA fetches http://host/.well-known/acme-challenge/<token>,
        // and a site with redirect_http must answer too. Only with acme on and only for a token we
        // hold, so an upstream answering its own challenges (certbot's webroot) still gets the rest.
        if (!request.IsHttps && model.Config.Acme is not null && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && models.Http01Challenges.TryGetKeyAuthorization(request.Path.Value ?? "", out var keyAuthorization))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.WriteAsync(keyAuthorization);
            return default;
        }

        // :: Step 1: the site, by Host. A host no site names is never forwarded: an identity
        // provider that builds links from Host must not answer under an attacker's name.
        var site = model.Sites.Find(HostNames.HostPart(request.Host.Value));
        if (site is null)
        {
            var status = request.IsHttps ? StatusCodes.Status421MisdirectedRequest : StatusCodes.Status404NotFound;
            await ProxyResponses.WriteAsync(context, status, $"No site is configured for host '{request.Host.Value}'.");
            return default;
        }

        // Every response from here on, whoever writes it, leaves with the site's HSTS decision.
        StrictTransportSecurity.ApplyWhenStarting(context, site);
        if (request.IsHttps)
        {
            // The TLS name and the Host must name the same site (RFC 9110 §7.4): otherwise a
            // connection opened for one site could carry requests for another.
            var sni = context.Features.Get<ITlsHandshakeFeature>()?.HostName;
            if (!string.IsNullOrEmpty(sni) && !ReferenceEquals(model.Sites.Find(sni), site))
            {
                await ProxyResponses.WriteAsync(context, StatusCodes.Status421MisdirectedRequest,
                    $"This connection was opened for '{sni}', not '{request.Host.Value}'.");
                return new(null, null, site, null);
            }
        }
        else if (site.RedirectHttp)
        {
            // :: Step 2: plain HTTP goes to HTTPS, keeping a non-standard port.
            ProxyResponses.Redirect(context, HttpsRedirect.Location(request, model.Config.Listen.HttpsPort ?? listeners.HttpsPort));
            return new(null, null, site, null);
        }

        // :: Step 3: requests the upstream could read differently, or cannot serve at all.
        if (request.Headers.ContainsKey(HeaderNames.Upgrade) && HttpProtocol.IsHttp10(request.Protocol))
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status426UpgradeRequired,
                "WebSockets need HTTP/1.1: HTTP/1.0 has no protocol upgrade (RFC 6455 §4.1). Use a client or proxy that speaks HTTP/1.1.");
            return new(null, null, site, null);
        }

        if (RequestScreening.Check(request, model.Config.Limits.MaxRequestHeadersBytes) is { } rejection)
        {
            await ProxyResponses.WriteAsync(context, rejection.Status, rejection.Message, rejection.Close);
            return new(null, null, site, null);
        }

        var maxBody = model.Config.Limits.MaxRequestBodyBytes;
        if (request.ContentLength > maxBody)
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBody} bytes (limits.max_request_body).");
            return new(null, null, site, null);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxBody;
        }

        // :: Step 4: the route, by longest path prefix.
        var route = site.Match(request.Path.Value ?? "/");
        if (route is null)
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status404NotFound, $"No route of this site matches '{request.Path.Value}'.");
            return new(null, null, site, null);
        }

        // :: Step 5: the request as the upstream will see it, decided once for both ways of forwarding.
        var outbound = OutboundRequest.Create(context, route.Prefix, model.Trusted);

        // :: Step 6: forward auth. The outpost decides before the app sees anything, WebSocket
        // handshakes included; what it says about the user goes into the outbound request.
        string? user = null;
        if (route.ForwardAuth is { } outpost)
        {
            var decision = await authorizer.AuthorizeAsync(context, outpost, outbound);
            if (!decision.Allowed)
            {
                return new(outpost.BaseUrl, null, site, route);
            }

            user = decision.User;
        }

        // :: Step 7: WebSockets are carried message by message, to an HTTP/1.1 Upgrade upstream;
        // everything else goes through YARP's forwarder.
        var upstream = context.WebSockets.IsWebSocketRequest
            ? await webSockets.ForwardAsync(context, model, route, outbound)
            : await requests.ForwardAsync(context, model, route, outbound);
        return new(upstream, user, site, route);
    }
}
