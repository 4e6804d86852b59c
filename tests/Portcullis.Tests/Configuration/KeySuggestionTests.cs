using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public class KeySuggestionTests
{
    private static readonly string[] SiteKeys = ["hosts", "tls", "hsts", "redirect_http", "routes"];

    [Theory]
    [InlineData("host", "hosts")]
    [InlineData("HOSTS", "hosts")]
    [InlineData("rootes", "routes")]
    [InlineData("redirect-http", "redirect_http")]
    [InlineData("redirecthttp", "redirect_http")]
    [InlineData("hst", "hsts")]
    [InlineData("tsl", "tls")]
    public void Closest_MisspeltKey_ReturnsKnownKey(string key, string expected)
    {
        Assert.Equal(expected, KeySuggestion.Closest(key, SiteKeys));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("upstream_timeout")]
    public void Closest_UnrelatedKey_ReturnsNull(string key)
    {
        Assert.Null(KeySuggestion.Closest(key, SiteKeys));
    }

    [Fact]
    public void Closest_NoKnownKeys_ReturnsNull()
    {
        Assert.Null(KeySuggestion.Closest("hosts", []));
    }
}
