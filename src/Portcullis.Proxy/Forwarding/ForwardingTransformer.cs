using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// Applies one request's <see cref="OutboundRequest"/> to what YARP sends upstream. The base class
/// copies the client's headers, the Host header unchanged with its port (nginx's $http_host):
/// authentik builds its URLs and its CSRF origin from it. The response's Strict-Transport-Security
/// is settled where every response passes (Sites/StrictTransportSecurity.cs), not here.
/// </summary>
public sealed class ForwardingTransformer(OutboundRequest outbound) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        outbound.ApplyTo(proxyRequest);
        if (outbound.PathChanged)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(outbound.Path), httpContext.Request.QueryString);
        }
    }
}
