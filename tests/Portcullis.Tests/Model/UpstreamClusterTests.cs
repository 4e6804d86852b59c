using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Health;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Model;

public sealed class UpstreamClusterTests : IDisposable
{
    private readonly UpstreamClient _client = new(new HttpMessageInvoker(new SocketsHttpHandler()), new UpstreamCertificatePolicy(UpstreamTlsConfig.Default));

    public void Dispose() => _client.Invoker.Dispose();

    [Fact]
    public void Pick_ThreeHealthyDestinations_GoesRoundRobin()
    {
        var cluster = Cluster("http://a:9000", "http://b:9000", "https://c:9443");

        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(_ => cluster.Pick()));
    }

    [Fact]
    public void Pick_OneDestinationReportedDown_SkipsIt()
    {
        var cluster = Cluster("http://a:9000", "http://b:9000", "http://c:9000");

        cluster.Health(1).ReportTransportFailure("connection refused");

        Assert.Equal([0, 2, 2, 0, 2, 2], Enumerable.Range(0, 6).Select(_ => cluster.Pick()));
    }

    [Fact]
    public void Pick_AllDestinationsFailed_StillPicksInTurn()
    {
        var cluster = Cluster("http://a:9000", "http://b:9000");
        cluster.Health(0).ReportTransportFailure("connection refused");
        cluster.Health(1).ReportTransportFailure("connection refused");

        Assert.Equal([0, 1, 0], Enumerable.Range(0, 3).Select(_ => cluster.Pick()));
    }

    [Fact]
    public void Pick_SingleFailedDestination_StillReturnsIt()
    {
        var cluster = Cluster("http://a:9000");
        cluster.Health(0).ReportTransportFailure("connection refused");

        Assert.Equal(0, cluster.Pick());
        Assert.Equal(0, cluster.Pick());
    }

    [Fact]
    public void Prefix_Destination_IsSchemeAndAuthority()
    {
        var cluster = Cluster("http://a:9000/", "https://authentik:9443");

        Assert.Equal("http://a:9000", cluster.Prefix(0));
        Assert.Equal("https://authentik:9443", cluster.Prefix(1));
        Assert.Same(_client, cluster.Client);
    }

    [Fact]
    public void Pick_DestinationDownByHealthCheck_SkipsIt_AnotherRouteToTheSameServerToo()
    {
        var cluster = Cluster("http://a:9000", "http://b:9000");
        var other = Cluster("http://b:9000", "http://c:9000");
        var check = new HealthCheckConfig { Path = "/-/health/live/", UnhealthyAfter = 1 };
        cluster.Health(1).ProbeStarted();
        cluster.Health(1).ReportProbe(false, "answered 503", check);

        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(_ => cluster.Pick()));
        Assert.Equal([1, 1, 1], Enumerable.Range(0, 3).Select(_ => other.Pick()));
    }

    private readonly UpstreamHealthTable _health = new();

    private UpstreamCluster Cluster(params string[] urls)
    {
        var uris = urls.Select(u => new Uri(u)).ToArray();
        return new(uris, _client, uris.Select(u => _health.GetOrAdd(u.GetLeftPart(UriPartial.Authority))).ToArray());
    }
}
