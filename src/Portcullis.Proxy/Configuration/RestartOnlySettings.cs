namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The settings Portcullis takes once, when it starts: the sockets it listens on, and what runs
/// first on their connections, are set up then (Hosting/PortcullisServer.cs, ConfigureKestrel). A reload accepts a new value, applies
/// everything else, and names these in the log as waiting for a restart. Compare against the
/// configuration the process started with, not the previous reload: a key changed by one reload
/// and changed back by the next is in effect again.
/// <para>
/// Everything else is live. Kestrel reads its limits object when a connection or request starts,
/// so limits.* and timeouts.client_header/keep_alive are applied to the running server on reload
/// (Hosting/KestrelLimits.cs); the shutdown drain is read when shutdown begins; the access log is
/// reopened; listen.https_port is read per redirect; data_dir whenever the model is built.
/// tests/Portcullis.EndToEnd/Hosting/LiveSettingsTests.cs changes them on a running Portcullis.
/// </para>
/// </summary>
public static class RestartOnlySettings
{
    private static readonly (string Key, Func<ProxyConfig, ProxyConfig, bool> NeedsRestart)[] Table =
    [
        ("listen.http", (started, current) => !started.Listen.Http.SequenceEqual(current.Listen.Http)),
        ("listen.https", (started, current) => !started.Listen.Https.SequenceEqual(current.Listen.Https)),
        // The PROXY protocol middleware is placed on the listeners when they are bound.
        ("listen.proxy_protocol", (started, current) => started.Listen.ProxyProtocol != current.Listen.ProxyProtocol),
        // The admin listener is bound at start too.
        ("admin.listen", (started, current) => !Equals(started.Admin?.Listen, current.Admin?.Listen)),
    ];

    /// <summary>Every restart-only key path, in the order of the README's configuration reference.</summary>
    public static IReadOnlyList<string> Keys { get; } = Table.Select(entry => entry.Key).ToArray();

    /// <summary>The key paths whose value in <paramref name="current"/> waits for a restart to take effect.</summary>
    /// <param name="started">The configuration the process started with.</param>
    /// <param name="current">The configuration a reload just accepted.</param>
    public static IReadOnlyList<string> Pending(ProxyConfig started, ProxyConfig current) =>
        Table.Where(entry => entry.NeedsRestart(started, current)).Select(entry => entry.Key).ToArray();
}
