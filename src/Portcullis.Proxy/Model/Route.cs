using Portcullis.Proxy.Forwarding;

namespace Portcullis.Proxy.Model;

/// <summary>A path prefix with its upstreams and its prepared request/response transformer.</summary>
public sealed class Route(PathPrefix prefix, UpstreamCluster cluster, ForwardingTransformer transformer)
{
    public PathPrefix Prefix { get; } = prefix;

    public UpstreamCluster Cluster { get; } = cluster;

    public ForwardingTransformer Transformer { get; } = transformer;
}
