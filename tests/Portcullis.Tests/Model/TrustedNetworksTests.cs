using System.Net;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Model;

public class TrustedNetworksTests
{
    private static readonly TrustedNetworks Networks = new([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8"), IPNetwork.Parse("192.168.1.7/32")]);

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("192.168.1.7", true)]
    [InlineData("192.168.1.8", false)]
    [InlineData("fd12::1", true)]
    [InlineData("fe80::1", false)]
    [InlineData("11.0.0.1", false)]
    [InlineData("::ffff:11.0.0.1", false)]
    [InlineData("127.0.0.1", false)]
    public void Contains_Address_ReturnsExpected(string address, bool expected)
    {
        Assert.Equal(expected, Networks.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_NullAddress_ReturnsFalse()
    {
        Assert.False(Networks.Contains(null));
    }

    [Fact]
    public void None_AnyAddress_TrustsNothing()
    {
        Assert.True(TrustedNetworks.None.IsEmpty);
        Assert.False(TrustedNetworks.None.Contains(IPAddress.Loopback));
        Assert.False(Networks.IsEmpty);
    }
}
