using Portcullis.Proxy.Sites;

namespace Portcullis.Tests.Sites;

public class HostNamesTests
{
    [Theory]
    [InlineData("sso.example.com", "sso.example.com")]
    [InlineData("SSO.Example.COM", "SSO.Example.COM")]
    [InlineData("sso.example.com:8443", "sso.example.com")]
    [InlineData("sso.example.com.", "sso.example.com")]
    [InlineData("sso.example.com.:443", "sso.example.com")]
    [InlineData("[::1]:8443", "::1")]
    [InlineData("[2001:DB8::1]", "2001:DB8::1")]
    [InlineData("127.0.0.1:8080", "127.0.0.1")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void HostPart_HostHeader_ReturnsNameWithoutPortBracketsOrTrailingDot(string? header, string expected)
    {
        Assert.Equal(expected, HostNames.HostPart(header).ToString());
    }
}
