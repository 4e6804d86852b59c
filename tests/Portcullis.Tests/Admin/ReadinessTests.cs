using Portcullis.Proxy.Admin;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;

namespace Portcullis.Tests.Admin;

public sealed class ReadinessTests : IDisposable
{
    private const string Check = "{ path: /health, interval: 10s, timeout: 1s, unhealthy_after: 1, healthy_after: 1 }";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private RuntimeModel Model(string? healthCheck, params string[] upstreams) => RuntimeModelBuilder.Build(ConfigLoader.LoadText($"""
        data_dir: {_directory.Path}
        sites:
          - hosts: [sso.example.com]
            routes:
              - path: /
                upstream: https://authentik:9443
              - path: /app
                upstream: [{string.Join(", ", upstreams)}]
        {(healthCheck is null ? "" : "        health_check: " + healthCheck)}
        """, "portcullis.yaml", _directory.Path), dryRun: true).Model;

    private static void FailHealthCheck(RuntimeModel model, int destination)
    {
        var health = model.Sites.Sites[0].Routes.Single(r => r.Prefix.Value == "/app").Cluster.Health(destination);
        health.ProbeStarted();
        health.ReportProbe(false, "answered 503", new HealthCheckConfig { Path = "/health", UnhealthyAfter = 1, HealthyAfter = 1 });
    }

    [Fact]
    public void NotReadyReason_NoModelYet_ConfigurationNotLoaded()
    {
        var readiness = new Readiness(() => null);
        readiness.MarkListening();

        Assert.Equal("the configuration is not loaded yet", readiness.NotReadyReason());
    }

    [Fact]
    public void NotReadyReason_ListenersNotBound_NotReadyUntilMarked()
    {
        var model = Model(null, "http://a:9000");
        var readiness = new Readiness(() => model);

        var before = readiness.NotReadyReason();
        readiness.MarkListening();

        Assert.Equal("the listeners are not bound yet", before);
        Assert.Null(readiness.NotReadyReason());
    }

    [Fact]
    public void NotReadyReason_Stopping_ShuttingDown()
    {
        var model = Model(null, "http://a:9000");
        var readiness = new Readiness(() => model);
        readiness.MarkListening();

        readiness.MarkStopping();

        Assert.Equal("shutting down", readiness.NotReadyReason());
    }

    [Fact]
    public void NotReadyReason_EveryHealthCheckedUpstreamOfARouteDown_NamesTheRoute()
    {
        var model = Model(Check, "http://a:9000", "http://b:9000");
        var readiness = new Readiness(() => model);
        readiness.MarkListening();

        FailHealthCheck(model, 0);
        var oneDown = readiness.NotReadyReason();
        FailHealthCheck(model, 1);

        Assert.Null(oneDown);
        Assert.Equal("every upstream of sso.example.com/app is down (health_check failing)", readiness.NotReadyReason());
    }

    [Fact]
    public void NotReadyReason_NoHealthCheckAndTransportFailure_StaysReady()
    {
        var model = Model(null, "http://a:9000");
        var readiness = new Readiness(() => model);
        readiness.MarkListening();

        model.Sites.Sites[0].Routes.Single(r => r.Prefix.Value == "/app").Cluster.Health(0).ReportTransportFailure("connection refused");

        Assert.Null(readiness.NotReadyReason());
    }
}
