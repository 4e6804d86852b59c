using System.Net;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Tests.Forwarding;

public class TrustedProxyNetworksTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("2001:db8::1", false)]
    [InlineData("203.0.113.9", false)]
    public void Contains_AuthentikDefaultCidrs(string address, bool trusted)
    {
        var networks = ClientIpResolverTests.Networks(new EmulatorOptions().TrustedProxyCidrs);

        Assert.Equal(trusted, networks.Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData(" fd00::1/8 ", "fd00::/8")]
    public void TryParseCidr_MasksHostBitsLikeGo(string text, string expected)
    {
        Assert.True(TrustedProxyNetworks.TryParseCidr(text, out var network));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8x")]
    [InlineData("example.com/8")]
    [InlineData("")]
    public void TryParseCidr_RejectsNonsense(string text)
    {
        Assert.False(TrustedProxyNetworks.TryParseCidr(text, out _));
    }
}
