namespace Portcullis.Proxy.Model;

/// <summary>A path prefix and the upstream servers that serve it.</summary>
public sealed class Route(PathPrefix prefix, UpstreamCluster cluster)
{
    public PathPrefix Prefix { get; } = prefix;

    public UpstreamCluster Cluster { get; } = cluster;
}
