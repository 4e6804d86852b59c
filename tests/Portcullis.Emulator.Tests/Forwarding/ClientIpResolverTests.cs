using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Tests.Forwarding;

public class ClientIpResolverTests
{
    private static readonly TrustedProxyNetworks AuthentikDefault = Networks(new EmulatorOptions().TrustedProxyCidrs);
    private static readonly IPAddress Peer = IPAddress.Parse("10.0.0.2");

    [Theory]
    [InlineData("6.6.6.6, 203.0.113.9", null, null, "6.6.6.6")]
    [InlineData(" 6.6.6.6 ,203.0.113.9", null, null, "6.6.6.6")]
    [InlineData(null, "198.51.100.4", null, "198.51.100.4")]
    [InlineData(null, null, "for=198.51.100.5;proto=https", "198.51.100.5")]
    [InlineData(null, null, "For=\"198.51.100.6\", for=10.0.0.9", "198.51.100.6")]
    [InlineData("2001:db8::1, 10.0.0.1", null, null, "2001:db8::1")]
    [InlineData("6.6.6.6", "198.51.100.4", "for=198.51.100.5", "6.6.6.6")]
    [InlineData(null, null, null, "10.0.0.2")]
    // Django's ClientIPMiddleware cannot parse these and logs its default IP.
    [InlineData("203.0.113.9:51234, 10.0.0.1", null, null, ClientIpResolver.InvalidAddress)]
    [InlineData("unknown", null, null, ClientIpResolver.InvalidAddress)]
    [InlineData(null, null, "for=\"[2001:db8::1]:4711\"", ClientIpResolver.InvalidAddress)]
    public void Resolve_Leftmost_TakesFirstEntryLikeGorillaAndDjango(string? xff, string? realIp, string? forwarded, string expected)
    {
        var resolver = new ClientIpResolver(AuthentikDefault, ClientIpMode.Leftmost);

        Assert.Equal(expected, resolver.Resolve(Headers(xff, realIp, forwarded), Peer));
    }

    [Theory]
    [InlineData("6.6.6.6, 203.0.113.9", "203.0.113.9")]
    [InlineData("6.6.6.6, 203.0.113.9, 10.0.0.1, 192.168.1.1", "203.0.113.9")]
    [InlineData("10.0.0.1, 192.168.1.1", "10.0.0.1")]
    [InlineData("6.6.6.6, 203.0.113.9:51234, 10.0.0.1:80", "203.0.113.9")]
    [InlineData("[2001:db8::7]:4711, 10.0.0.1", "2001:db8::7")]
    [InlineData("2001:db8::7, [::1]:8080", "2001:db8::7")]
    [InlineData("6.6.6.6, garbage", ClientIpResolver.InvalidAddress)]
    public void Resolve_RightmostUntrusted_SkipsTrustedFromTheRight(string xff, string expected)
    {
        var resolver = new ClientIpResolver(AuthentikDefault, ClientIpMode.RightmostUntrusted);

        Assert.Equal(expected, resolver.Resolve(Headers(xff, null, null), Peer));
    }

    [Fact]
    public void Resolve_RightmostUntrusted_JoinsRepeatedHeaderLines()
    {
        var resolver = new ClientIpResolver(AuthentikDefault, ClientIpMode.RightmostUntrusted);
        var headers = new HeaderDictionary { ["X-Forwarded-For"] = new(["6.6.6.6", "203.0.113.9, 10.0.0.1"]) };

        Assert.Equal("203.0.113.9", resolver.Resolve(headers, Peer));
    }

    [Fact]
    public void Resolve_RightmostUntrustedWithoutXff_FallsBackToXRealIpWithoutPort()
    {
        var resolver = new ClientIpResolver(AuthentikDefault, ClientIpMode.RightmostUntrusted);

        Assert.Equal("198.51.100.4", resolver.Resolve(Headers(null, "198.51.100.4:1234", null), Peer));
    }

    private static HeaderDictionary Headers(string? xff, string? realIp, string? forwarded)
    {
        var headers = new HeaderDictionary();
        if (xff is not null)
        {
            headers["X-Forwarded-For"] = xff;
        }

        if (realIp is not null)
        {
            headers["X-Real-IP"] = realIp;
        }

        if (forwarded is not null)
        {
            headers["Forwarded"] = forwarded;
        }

        return headers;
    }

    internal static TrustedProxyNetworks Networks(IEnumerable<string> cidrs) =>
        new(cidrs.Select(c => TrustedProxyNetworks.TryParseCidr(c, out var n) ? n : throw new ArgumentException(c)).ToList());
}
