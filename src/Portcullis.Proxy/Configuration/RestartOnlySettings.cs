namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The settings Portcullis takes once, when it starts, because Kestrel or the host reads them only
/// then (Hosting/PortcullisServer.cs, ConfigureKestrel and StartAsync): a reload accepts a new
/// value but serves with the old one until a restart. Compare against the configuration the
/// process started with, not the previous reload: a key changed by one reload and changed back by
/// the next is in effect again.
/// <para>
/// Live, so not listed: listen.https_port (read per redirect from the current model),
/// limits.max_request_body (set on each request's IHttpMaxRequestBodySizeFeature),
/// limits.max_connections_per_client (read per connection), data_dir (read whenever the model is
/// built, also on reload), and log.access and log.format (to be made live).
/// </para>
/// </summary>
public static class RestartOnlySettings
{
    private static readonly (string Key, Func<ProxyConfig, ProxyConfig, bool> NeedsRestart)[] Table =
    [
        ("listen.http", (started, current) => !started.Listen.Http.SequenceEqual(current.Listen.Http)),
        ("listen.https", (started, current) => !started.Listen.Https.SequenceEqual(current.Listen.Https)),
        // Kestrel's own cap is twice the value at start; RequestScreening enforces the current
        // value below it, so a lower value is live and only a higher one waits for a restart.
        ("limits.max_request_headers", (started, current) => current.Limits.MaxRequestHeadersBytes > started.Limits.MaxRequestHeadersBytes),
        ("limits.max_request_line", (started, current) => started.Limits.MaxRequestLineBytes != current.Limits.MaxRequestLineBytes),
        ("limits.max_streams_per_connection", (started, current) => started.Limits.MaxStreamsPerConnection != current.Limits.MaxStreamsPerConnection),
        ("limits.min_request_body_rate", (started, current) => started.Limits.MinRequestBodyBytesPerSecond != current.Limits.MinRequestBodyBytesPerSecond),
        ("timeouts.client_header", (started, current) => started.Timeouts.ClientHeader != current.Timeouts.ClientHeader),
        ("timeouts.keep_alive", (started, current) => started.Timeouts.KeepAlive != current.Timeouts.KeepAlive),
        // The host's shutdown timeout and the drain before WebSockets are closed are set at start.
        ("timeouts.shutdown_drain", (started, current) => started.Timeouts.ShutdownDrain != current.Timeouts.ShutdownDrain),
    ];

    /// <summary>Every restart-only key path, in the order of the README's configuration reference.</summary>
    public static IReadOnlyList<string> Keys { get; } = Table.Select(entry => entry.Key).ToArray();

    /// <summary>The key paths whose value in <paramref name="current"/> waits for a restart to take effect.</summary>
    /// <param name="started">The configuration the process started with.</param>
    /// <param name="current">The configuration a reload just accepted.</param>
    public static IReadOnlyList<string> Pending(ProxyConfig started, ProxyConfig current) =>
        Table.Where(entry => entry.NeedsRestart(started, current)).Select(entry => entry.Key).ToArray();
}
