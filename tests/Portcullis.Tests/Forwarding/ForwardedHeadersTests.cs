using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Forwarding;

public class ForwardedHeadersTests
{
    private static readonly TrustedNetworks LoadBalancers = new([IPNetwork.Parse("10.0.0.0/8")]);

    [Theory]
    [InlineData("X-Forwarded-For", true)]
    [InlineData("x-forwarded-for", true)]
    [InlineData("x_forwarded_for", true)]
    [InlineData("X_Forwarded_For", true)]
    [InlineData("X-Forwarded_For", true)]
    [InlineData("X-FORWARDED-PROTO", true)]
    [InlineData("X-Forwarded-Host", true)]
    [InlineData("X-Forwarded-Port", true)]
    [InlineData("X-Forwarded-Prefix", true)]
    [InlineData("X-Forwarded-Server", true)]
    [InlineData("Forwarded", true)]
    [InlineData("FORWARDED", true)]
    [InlineData("X-Real-IP", true)]
    [InlineData("X_Real_Ip", true)]
    [InlineData("X-authentik-username", true)]
    [InlineData("X-authentik-CSRF", false)] // authentik's own UI sends it with every API call
    [InlineData("x_authentik_csrf", false)]
    [InlineData("X_AUTHENTIK_UID", true)]
    [InlineData("X-Client-IP", true)]
    [InlineData("True-Client-IP", true)]
    [InlineData("X-Cluster-Client-IP", true)]
    [InlineData("CF-Connecting-IP", true)]
    [InlineData("X-Original-Forwarded-For", true)]
    [InlineData("X-Original-URL", true)]
    [InlineData("X-Rewrite-URL", true)]
    [InlineData("Host", false)]
    [InlineData("Cookie", false)]
    [InlineData("Authorization", false)]
    [InlineData("X-Request-Id", false)]
    [InlineData("User-Agent", false)]
    [InlineData("Forwarded-For", false)]
    [InlineData("X-Forwarded", false)] // no framework reads a bare X-Forwarded; every real one has a suffix
    [InlineData("X-Real-IPs", false)]
    [InlineData("", false)]
    public void IsSpoofable_HeaderName_ReturnsExpected(string name, bool expected)
    {
        Assert.Equal(expected, ForwardedHeaders.IsSpoofable(name));
    }

    [Fact]
    public void IsSpoofable_VeryLongForwardedName_ReturnsTrue()
    {
        Assert.True(ForwardedHeaders.IsSpoofable("X-Forwarded-" + new string('a', 200)));
    }

    [Fact]
    public void Compute_TrustedPeerWithoutHeaders_UsesConnectionValues()
    {
        var context = Request("10.0.0.2", "https", "sso.example.com");

        var (forwardedFor, proto, host) = ForwardedHeaders.Compute(context, peerTrusted: true);

        Assert.Equal(("10.0.0.2", "https", "sso.example.com"), (forwardedFor, proto, host));
    }

    [Theory]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::1", "::1")]
    public void Compute_PeerAddress_ShownAsClientsSeeIt(string peer, string expected)
    {
        var context = Request(peer, "https", "sso.example.com");

        Assert.Equal(expected, ForwardedHeaders.Compute(context, peerTrusted: false).For);
    }

    [Fact]
    public void FormatAddress_NoAddress_ReturnsUnknown()
    {
        Assert.Equal("unknown", ForwardedHeaders.FormatAddress(null));
    }

    [Theory]
    [InlineData("203.0.113.7", "198.51.100.1", "203.0.113.7")] // untrusted peer: its header means nothing
    [InlineData("10.0.0.2", "198.51.100.1, 10.0.0.9", "198.51.100.1")]
    [InlineData("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1")] // rightmost untrusted, not the client's claim
    [InlineData("10.0.0.2", "10.0.0.5, 10.0.0.9", "10.0.0.5")] // all trusted: the leftmost
    [InlineData("10.0.0.2", "", "10.0.0.2")]
    [InlineData("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1")]
    [InlineData("10.0.0.2", "garbage, 10.0.0.9", "garbage")]
    public void ClientAddress_PeerAndHeader_ReturnsRightmostUntrusted(string peer, string forwardedFor, string expected)
    {
        var context = Request(peer, "https", "sso.example.com");
        if (forwardedFor.Length > 0)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        Assert.Equal(expected, ForwardedHeaders.ClientAddress(context, LoadBalancers));
    }

    internal static DefaultHttpContext Request(string peer, string scheme, string host)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Scheme = scheme;
        context.Request.Method = "GET";
        context.Request.Host = new HostString(host);
        context.Request.Headers.Host = host;
        context.Request.Path = "/";
        return context;
    }
}
