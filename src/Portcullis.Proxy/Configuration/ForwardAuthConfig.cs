namespace Portcullis.Proxy.Configuration;

/// <summary>
/// Forward auth for a route (or every route of a site): each request is first asked of
/// authentik's proxy outpost, and reaches the app only when the outpost says the user may.
/// </summary>
public sealed record ForwardAuthConfig
{
    /// <summary>
    /// The outpost's base URL, no path: authentik's server for the embedded outpost
    /// (http://authentik-server:9000) or a standalone proxy outpost.
    /// </summary>
    public required Uri Outpost { get; init; }

    /// <summary>How an https:// outpost's certificate is checked, as for any upstream.</summary>
    public UpstreamTlsConfig UpstreamTls { get; init; } = UpstreamTlsConfig.Default;

    /// <summary>The outpost must answer within this; over it, the request fails closed (503).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the setting is, for messages.</summary>
    public ConfigLocation Location { get; init; } = new("", 0, 0);
}
