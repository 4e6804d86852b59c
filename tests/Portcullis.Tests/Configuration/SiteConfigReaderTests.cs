using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class SiteConfigReaderTests : ConfigTextTests
{
    [Fact]
    public void LoadText_HstsAbsent_DefaultValueNotExplicit()
    {
        var site = Assert.Single(Load(Site).Sites);

        Assert.Equal("max-age=63072000", site.Hsts);
        Assert.False(site.HstsExplicit);
    }

    [Theory]
    [InlineData("hsts: true", "max-age=63072000")]
    [InlineData("hsts: false", null)]
    [InlineData("hsts: off", null)]
    [InlineData("hsts: \"max-age=63072000\"", "max-age=63072000")]
    [InlineData("hsts: max-age=300; includeSubDomains", "max-age=300; includeSubDomains")]
    public void LoadText_HstsPresent_ValueKeptAndExplicit(string line, string? expected)
    {
        var site = Assert.Single(Load(Site + "    " + line + "\n").Sites);

        Assert.Equal(expected, site.Hsts);
        Assert.True(site.HstsExplicit);
    }

    [Fact]
    public void LoadText_HstsFromEnvironmentVariable_Explicit()
    {
        var site = Assert.Single(Load(Site, ("PORTCULLIS_SITES__0__HSTS", "max-age=600")).Sites);

        Assert.Equal("max-age=600", site.Hsts);
        Assert.True(site.HstsExplicit);
    }

    [Fact]
    public void LoadText_TwoSitesOneSetsHsts_OnlyThatOneExplicit()
    {
        var yaml = Site + """
              - hosts: [app.example.com]
                hsts: true
                routes:
                  - upstream: http://app:8080
            """;

        var sites = Load(yaml).Sites;

        Assert.Equal([false, true], sites.Select(s => s.HstsExplicit));
        Assert.Equal(["max-age=63072000", "max-age=63072000"], sites.Select(s => s.Hsts));
    }
}
