using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class HealthCheckConfigTests : IDisposable
{
    private const string FileName = "portcullis.yaml";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static string Route(string healthCheck) => $"""
        sites:
          - hosts: [sso.example.com]
            routes:
              - path: /
                upstream: [https://authentik-1:9443, https://authentik-2:9443]
                health_check: {healthCheck}

        """;

    [Fact]
    public void LoadText_NoHealthCheck_PassiveOnly()
    {
        var config = ConfigLoader.LoadText(Route("").Replace("    health_check: \n", ""), FileName, _directory.Path);

        Assert.Null(config.Sites[0].Routes[0].HealthCheck);
    }

    [Fact]
    public void LoadText_PathOnly_UsesDocumentedDefaults()
    {
        var config = ConfigLoader.LoadText(Route("{ path: /-/health/live/ }"), FileName, _directory.Path);

        var check = config.Sites[0].Routes[0].HealthCheck!;
        Assert.Equal("/-/health/live/", check.Path);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), check.Timeout);
        Assert.Equal(2, check.UnhealthyAfter);
        Assert.Equal(1, check.HealthyAfter);
    }

    [Fact]
    public void LoadText_EveryKey_Read()
    {
        var config = ConfigLoader.LoadText(Route("{ path: /-/health/ready/, interval: 5s, timeout: 500ms, unhealthy_after: 3, healthy_after: 2 }"), FileName, _directory.Path);

        Assert.Equal(new HealthCheckConfig
        {
            Path = "/-/health/ready/",
            Interval = TimeSpan.FromSeconds(5),
            Timeout = TimeSpan.FromMilliseconds(500),
            UnhealthyAfter = 3,
            HealthyAfter = 2,
        }, config.Sites[0].Routes[0].HealthCheck);
    }

    [Theory]
    [InlineData("{ interval: 5s }", "sites[0].routes[0].health_check.path")]
    [InlineData("{ path: health }", "sites[0].routes[0].health_check.path")]
    [InlineData("{ path: /h, interval: soon }", "sites[0].routes[0].health_check.interval")]
    [InlineData("{ path: /h, timeout: 0s }", "sites[0].routes[0].health_check.timeout")]
    [InlineData("{ path: /h, unhealthy_after: 0 }", "sites[0].routes[0].health_check.unhealthy_after")]
    [InlineData("{ path: /h, healthy_after: many }", "sites[0].routes[0].health_check.healthy_after")]
    [InlineData("{ path: /h, intervall: 5s }", "sites[0].routes[0].health_check.intervall")]
    [InlineData("/-/health/live/", "sites[0].routes[0].health_check")]
    public void LoadText_BadHealthCheck_ErrorWithKeyAndLine(string healthCheck, string key)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(Route(healthCheck), FileName, _directory.Path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(6, error.Location.Line);
        Assert.NotNull(error.Hint);
    }
}
