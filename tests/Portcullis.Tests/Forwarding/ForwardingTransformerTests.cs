using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Forwarding;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Forwarding;

public class ForwardingTransformerTests
{
    private const string Hsts = "max-age=63072000";
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

        await Transformer("/", strip: false).TransformRequestAsync(context, proxyRequest, Destination, CancellationToken.None);

        Assert.Equal(new Uri("http://authentik:9000/if/flow/default-authentication-flow/?next=%2F"), SentUri(context, proxyRequest));
        Assert.Equal("sso.example.com:8443", proxyRequest.Headers.Host);
        Assert.Equal(["203.0.113.7"], proxyRequest.Headers.GetValues("X-Forwarded-For"));
        Assert.Equal(["https"], proxyRequest.Headers.GetValues("X-Forwarded-Proto"));
        Assert.Equal(["sso.example.com:8443"], proxyRequest.Headers.GetValues("X-Forwarded-Host"));
        Assert.Equal(["authentik_session=abc"], proxyRequest.Headers.GetValues("Cookie"));
        Assert.False(proxyRequest.Headers.Contains("X-Real-IP"));
        Assert.False(proxyRequest.Headers.Contains("x_forwarded_for"));
    }

    [Fact]
    public async Task TransformRequestAsync_TrustedLoadBalancer_AppendsPeerToItsChain()
    {
        var context = ForwardedHeadersTests.Request("::ffff:10.0.0.2", "http", "sso.example.com");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.1";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Real-IP"] = "1.2.3.4";
        var proxyRequest = new HttpRequestMessage();
        var transformer = new ForwardingTransformer(new PathPrefix("/", false), new TrustedNetworks([IPNetwork.Parse("10.0.0.0/8")]), Hsts);

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

        await Transformer(prefix, strip).TransformRequestAsync(context, proxyRequest, Destination, CancellationToken.None);

        Assert.Equal(new Uri(expected), SentUri(context, proxyRequest));
    }

    [Fact]
    public async Task TransformResponseAsync_UpstreamSentOwnHsts_ClientGetsExactlyOurs()
    {
        var context = ForwardedHeadersTests.Request("203.0.113.7", "https", "sso.example.com");
        var upstream = new HttpResponseMessage(HttpStatusCode.OK);
        upstream.Headers.TryAddWithoutValidation("Strict-Transport-Security", "max-age=60");
        upstream.Headers.TryAddWithoutValidation("X-Upstream", "1");

        var proceed = await Transformer("/", false).TransformResponseAsync(context, upstream, CancellationToken.None);

        Assert.True(proceed);
        Assert.Equal([Hsts], (string[])context.Response.Headers.StrictTransportSecurity!);
        Assert.Equal("1", context.Response.Headers["X-Upstream"]);
    }

    [Fact]
    public async Task TransformResponseAsync_Https_AddsHsts()
    {
        var context = ForwardedHeadersTests.Request("203.0.113.7", "https", "sso.example.com");

        await Transformer("/", false).TransformResponseAsync(context, new HttpResponseMessage(HttpStatusCode.Found), CancellationToken.None);

        Assert.Equal([Hsts], (string[])context.Response.Headers.StrictTransportSecurity!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("max-age=60")]
    public async Task TransformResponseAsync_PlainHttp_SendsNoHsts(string? upstreamHsts)
    {
        // RFC 6797 §7.2: an HSTS host must not send the header over plain HTTP.
        var context = ForwardedHeadersTests.Request("203.0.113.7", "http", "sso.example.com");
        var upstream = new HttpResponseMessage(HttpStatusCode.OK);
        if (upstreamHsts is not null)
        {
            upstream.Headers.TryAddWithoutValidation("Strict-Transport-Security", upstreamHsts);
        }

        await Transformer("/", false).TransformResponseAsync(context, upstream, CancellationToken.None);

        Assert.False(context.Response.Headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public async Task TransformResponseAsync_HstsTurnedOff_PassesUpstreamValueUnchanged()
    {
        var context = ForwardedHeadersTests.Request("203.0.113.7", "https", "sso.example.com");
        var upstream = new HttpResponseMessage(HttpStatusCode.OK);
        upstream.Headers.TryAddWithoutValidation("Strict-Transport-Security", "max-age=60");
        var transformer = new ForwardingTransformer(new PathPrefix("/", false), TrustedNetworks.None, hsts: null);

        await transformer.TransformResponseAsync(context, upstream, CancellationToken.None);

        Assert.Equal(["max-age=60"], (string[])context.Response.Headers.StrictTransportSecurity!);
    }

    /// <summary>The URI YARP's forwarder sends to: the transformer's, or by default the destination plus the client's path.</summary>
    private static Uri SentUri(HttpContext context, HttpRequestMessage proxyRequest) =>
        proxyRequest.RequestUri ?? RequestUtilities.MakeDestinationAddress(Destination, context.Request.Path, context.Request.QueryString);

    private static ForwardingTransformer Transformer(string prefix, bool strip) =>
        new(new PathPrefix(prefix, strip), TrustedNetworks.None, Hsts);
}
