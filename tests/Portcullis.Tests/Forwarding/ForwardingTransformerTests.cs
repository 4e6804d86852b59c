using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Forwarding;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Forwarding;

public class ForwardingTransformerTests
{
    private const string Destination = "http://authentik:9000";

    [Fact]
    public async Task TransformRequestAsync_UntrustedClient_SendsHostUnchangedAndOnlyOwnForwardedHeaders()
    {
        var context = ForwardedHeadersTests.Request("203.0.113.7", "https", "sso.example.com:8443");
        context.Request.Path = "/if/flow/default-authentication-flow/";
        context.Request.QueryString = new QueryString("?next=%2F");
        context.Request.Headers["X-Forwarded-For"] = "1.2.3.4";
        context.Request.Headers["x_forwarded_for"] = "1.2.3.4";
        context.Request.Headers["X-Real-IP"] = "1.2.3.4";
        context.Request.Headers["Cookie"] = "authentik_session=abc";
        var proxyRequest = new HttpRequestMessage();

        await Transformer(context, "/", strip: false).TransformRequestAsync(context, proxyRequest, Destination, CancellationToken.None);

        Assert.Equal(new Uri("http://authentik:9000/if/flow/default-authentication-flow/?next=%2F"), SentUri(context, proxyRequest));
        Assert.Equal("sso.example.com:8443", proxyRequest.Headers.Host);
        Assert.Equal(["203.0.113.7"], proxyRequest.Headers.GetValues("X-Forwarded-For"));
        Assert.Equal(["https"], proxyRequest.Headers.GetValues("X-Forwarded-Proto"));
        Assert.Equal(["sso.example.com:8443"], proxyRequest.Headers.GetValues("X-Forwarded-Host"));
        Assert.Equal(["authentik_session=abc"], proxyRequest.Headers.GetValues("Cookie"));
        Assert.False(proxyRequest.Headers.Contains("X-Real-IP"));
        Assert.False(proxyRequest.Headers.Contains("x_forwarded_for"));
        Assert.Equal("1.2.3.4", context.Request.Headers["X-Real-IP"]); // the client's request itself is left as sent
    }

    [Fact]
    public async Task TransformRequestAsync_TrustedLoadBalancer_AppendsPeerToItsChain()
    {
        var context = ForwardedHeadersTests.Request("::ffff:10.0.0.2", "http", "sso.example.com");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.1";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Real-IP"] = "1.2.3.4";
        var proxyRequest = new HttpRequestMessage();
        var transformer = new ForwardingTransformer(OutboundRequest.Create(context, new PathPrefix("/", false), new TrustedNetworks([IPNetwork.Parse("10.0.0.0/8")])));

        await transformer.TransformRequestAsync(context, proxyRequest, Destination, CancellationToken.None);

        Assert.Equal(["198.51.100.1, 10.0.0.2"], proxyRequest.Headers.GetValues("X-Forwarded-For"));
        Assert.Equal(["https"], proxyRequest.Headers.GetValues("X-Forwarded-Proto"));
        Assert.Equal(["sso.example.com"], proxyRequest.Headers.GetValues("X-Forwarded-Host"));
        Assert.False(proxyRequest.Headers.Contains("X-Real-IP"));
    }

    [Theory]
    [InlineData("/authentik/", false, "/authentik/api/v3/", "http://authentik:9000/authentik/api/v3/?page=2")]
    [InlineData("/authentik/", true, "/authentik/api/v3/", "http://authentik:9000/api/v3/?page=2")]
    [InlineData("/authentik/", true, "/authentik", "http://authentik:9000/?page=2")]
    public async Task TransformRequestAsync_RoutePrefix_UpstreamSeesExpectedUri(string prefix, bool strip, string path, string expected)
    {
        var context = ForwardedHeadersTests.Request("203.0.113.7", "https", "sso.example.com");
        context.Request.Path = path;
        context.Request.QueryString = new QueryString("?page=2");
        var proxyRequest = new HttpRequestMessage();

        await Transformer(context, prefix, strip).TransformRequestAsync(context, proxyRequest, Destination, CancellationToken.None);

        Assert.Equal(new Uri(expected), SentUri(context, proxyRequest));
    }

    /// <summary>The URI YARP's forwarder sends to: the transformer's, or by default the destination plus the client's path.</summary>
    private static Uri SentUri(HttpContext context, HttpRequestMessage proxyRequest) =>
        proxyRequest.RequestUri ?? RequestUtilities.MakeDestinationAddress(Destination, context.Request.Path, context.Request.QueryString);

    private static ForwardingTransformer Transformer(HttpContext context, string prefix, bool strip) =>
        new(OutboundRequest.Create(context, new PathPrefix(prefix, strip), TrustedNetworks.None));
}
