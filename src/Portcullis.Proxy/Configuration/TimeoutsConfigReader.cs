namespace Portcullis.Proxy.Configuration;

/// <summary>Reads timeouts: into a <see cref="TimeoutsConfig"/>.</summary>
internal static class TimeoutsConfigReader
{
    public static TimeoutsConfig Read(ConfigSection section)
    {
        var defaults = new TimeoutsConfig();
        return new TimeoutsConfig
        {
            ClientHeader = section.Duration("client_header") ?? defaults.ClientHeader,
            KeepAlive = section.Duration("keep_alive") ?? defaults.KeepAlive,
            UpstreamConnect = section.Duration("upstream_connect") ?? defaults.UpstreamConnect,
            UpstreamResponse = section.Duration("upstream_response") ?? defaults.UpstreamResponse,
            WebSocketIdle = section.Duration("websocket_idle") ?? defaults.WebSocketIdle,
            WebSocketPing = section.Duration("websocket_ping") ?? defaults.WebSocketPing,
            ShutdownDrain = section.Duration("shutdown_drain") ?? defaults.ShutdownDrain,
        };
    }
}
