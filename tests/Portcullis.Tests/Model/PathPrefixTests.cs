using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Model;

public class PathPrefixTests
{
    [Theory]
    [InlineData("/", "/", true)]
    [InlineData("/", "/anything/at/all", true)]
    [InlineData("/authentik/", "/authentik/", true)]
    [InlineData("/authentik/", "/authentik", true)]
    [InlineData("/authentik/", "/authentik/if/flow/", true)]
    [InlineData("/authentik", "/authentik/x", true)]
    [InlineData("/authentik", "/authentik", true)]
    [InlineData("/authentik/", "/authentikfoo", false)]
    [InlineData("/authentik", "/authentikfoo/x", false)]
    [InlineData("/authentik/", "/Authentik/", false)]
    [InlineData("/authentik/", "/", false)]
    [InlineData("/a/b/", "/a/b/c", true)]
    [InlineData("/a/b/", "/a/bc", false)]
    public void Matches_Path_OnSegmentBoundaryOnly(string prefix, string path, bool expected)
    {
        Assert.Equal(expected, new PathPrefix(prefix, strip: false).Matches(path));
    }

    [Theory]
    [InlineData("/authentik/", true, "/authentik/if/flow/", "/if/flow/")]
    [InlineData("/authentik/", true, "/authentik/", "/")]
    [InlineData("/authentik/", true, "/authentik", "/")]
    [InlineData("/authentik", true, "/authentik/api", "/api")]
    [InlineData("/authentik/", false, "/authentik/if/flow/", "/authentik/if/flow/")]
    [InlineData("/", true, "/if/flow/", "/if/flow/")]
    public void UpstreamPath_StripSetting_ReturnsPathUpstreamSees(string prefix, bool strip, string path, string expected)
    {
        Assert.Equal(expected, new PathPrefix(prefix, strip).UpstreamPath(path));
    }

    [Theory]
    [InlineData("/", true, false)]
    [InlineData("/app/", true, true)]
    [InlineData("/app/", false, false)]
    public void Strip_RootPrefix_IsNeverStripped(string prefix, bool strip, bool expected)
    {
        var pathPrefix = new PathPrefix(prefix, strip);

        Assert.Equal(expected, pathPrefix.Strip);
        Assert.Equal(prefix, pathPrefix.Value);
    }
}
