using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// What forwarding tells the layers above it without knowing them: upstream failures and
/// WebSockets opening and closing, by the cluster (one per route) they concern. The metrics
/// (Admin/PortcullisMetrics.cs) listen; with nobody listening a report costs a null check.
/// </summary>
public sealed class ForwardingEvents
{
    public event Action<UpstreamCluster, UpstreamErrorReason>? UpstreamFailed;

    /// <summary>+1 when a WebSocket is open both ways, -1 when it has ended.</summary>
    public event Action<UpstreamCluster, int>? WebSocketsChanged;

    public void ReportUpstreamFailed(UpstreamCluster cluster, UpstreamErrorReason reason) => UpstreamFailed?.Invoke(cluster, reason);

    public void ReportWebSocketsChanged(UpstreamCluster cluster, int delta) => WebSocketsChanged?.Invoke(cluster, delta);
}
