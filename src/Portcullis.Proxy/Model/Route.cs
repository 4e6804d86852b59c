namespace Portcullis.Proxy.Model;

/// <summary>A path prefix and the upstream servers that serve it, behind an outpost when forward auth is on.</summary>
public sealed class Route(PathPrefix prefix, UpstreamCluster cluster, Outpost? forwardAuth = null)
{
    public PathPrefix Prefix { get; } = prefix;

    public UpstreamCluster Cluster { get; } = cluster;

    /// <summary>The outpost every request of this route is checked against first; null: no forward auth.</summary>
    public Outpost? ForwardAuth { get; } = forwardAuth;
}
