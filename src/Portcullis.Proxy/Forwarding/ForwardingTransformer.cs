using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// Shapes one route's requests and responses, prepared once per configuration: the path (prefix
/// kept unless strip_prefix), the forwarded headers, and exactly one HSTS header on the way back.
/// The client's Host header is copied unchanged by the base class, port included (nginx's
/// $http_host): authentik builds its URLs and its CSRF origin from it.
/// </summary>
public sealed class ForwardingTransformer(PathPrefix prefix, TrustedNetworks trusted, string? hsts) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var peerTrusted = trusted.Contains(httpContext.Connection.RemoteIpAddress);
        ForwardedHeaders.Strip(httpContext.Request.Headers, peerTrusted);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        ForwardedHeaders.Apply(httpContext, proxyRequest, peerTrusted);

        if (prefix.Strip)
        {
            var path = prefix.UpstreamPath(httpContext.Request.Path.Value ?? "/");
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), httpContext.Request.QueryString);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (hsts is not null && httpContext.Request.IsHttps)
        {
            // Replaces the upstream's own value: one header, ours (nginx's add_header would send two).
            httpContext.Response.Headers[HeaderNames.StrictTransportSecurity] = hsts;
        }
        else if (!httpContext.Request.IsHttps)
        {
            // RFC 6797 §7.2: never over plain HTTP (redirect_http: false), not even the upstream's own.
            httpContext.Response.Headers.Remove(HeaderNames.StrictTransportSecurity);
        }

        return proceed;
    }
}
