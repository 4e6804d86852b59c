namespace Portcullis.Proxy.Configuration;

/// <summary>Every timeout, with defaults documented in the README.</summary>
public sealed record TimeoutsConfig
{
    /// <summary>A client must send its request headers within this (slowloris).</summary>
    public TimeSpan ClientHeader { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An idle client connection is closed after this.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Establishing a TCP and TLS connection to an upstream. Over it: 502.</summary>
    public TimeSpan UpstreamConnect { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The upstream must start answering, and keep sending, within this. Over it: 504.</summary>
    public TimeSpan UpstreamResponse { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// A WebSocket with no message either way is closed after this. An hour, not nginx's 60 s
    /// proxy_read_timeout that cuts authentik's idle UI sockets.
    /// </summary>
    public TimeSpan WebSocketIdle { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Both legs of a WebSocket are pinged this often (RFC 6455 §5.5.2), which keeps NATs and load
    /// balancers from dropping an idle one; a peer that has not answered with a pong within the same
    /// time is gone (a phone that lost its network sends no FIN), and the other leg gets 1001.
    /// </summary>
    public TimeSpan WebSocketPing { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>On SIGTERM: how long in-flight requests may finish before WebSockets are closed with 1001.</summary>
    public TimeSpan ShutdownDrain { get; init; } = TimeSpan.FromSeconds(10);
}
