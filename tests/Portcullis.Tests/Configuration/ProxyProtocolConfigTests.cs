using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

/// <summary>listen.proxy_protocol: read as a boolean, and refused when no peer could be believed.</summary>
public sealed class ProxyProtocolConfigTests : ConfigTextTests
{
    [Fact]
    public void LoadText_NotSet_IsOff()
    {
        Assert.False(Load(Site).Listen.ProxyProtocol);
        Assert.False(Load("listen:\n  https: [\"127.0.0.1:443\"]\n" + Site).Listen.ProxyProtocol);
    }

    [Fact]
    public void LoadText_OnWithTrustedProxies_IsOn()
    {
        var config = Load("listen: { proxy_protocol: true }\ntrusted_proxies: [10.0.0.0/8]\n" + Site);

        Assert.True(config.Listen.ProxyProtocol);
    }

    [Fact]
    public void LoadText_OnWithoutTrustedProxies_ErrorNamesTheLineAndTheFix()
    {
        var error = Assert.Single(Errors("listen:\n  https: [\"0.0.0.0:443\"]\n  proxy_protocol: true\n" + Site));

        Assert.Equal("listen.proxy_protocol", error.Key);
        Assert.Equal(new ConfigLocation(FileName, 3, 19), error.Location);
        Assert.Contains("every connection would be closed", error.Message);
        Assert.Contains("trusted_proxies", error.Hint);
    }

    [Fact]
    public void LoadText_NotABoolean_ErrorNamesTheKey()
    {
        var error = Assert.Single(Errors("listen: { proxy_protocol: v2 }\ntrusted_proxies: [10.0.0.0/8]\n" + Site));

        Assert.Equal("listen.proxy_protocol", error.Key);
        Assert.Equal("'v2' is not true or false.", error.Message);
    }

    [Fact]
    public void LoadText_FromTheEnvironment_IsCheckedLikeTheFile()
    {
        var on = Load("trusted_proxies: [10.0.0.0/8]\n" + Site, ("PORTCULLIS_LISTEN__PROXY_PROTOCOL", "true"));
        var error = Assert.Single(Errors(Site, ("PORTCULLIS_LISTEN__PROXY_PROTOCOL", "true")));

        Assert.True(on.Listen.ProxyProtocol);
        Assert.Equal("environment variable PORTCULLIS_LISTEN__PROXY_PROTOCOL", error.Location.Source);
        Assert.Equal("listen.proxy_protocol", error.Key);
    }
}
