namespace Portcullis.Proxy.Configuration;

/// <summary>A path prefix inside a site and the upstream servers it goes to.</summary>
public sealed record RouteConfig
{
    /// <summary>The prefix of a route without path: every request of its site.</summary>
    public const string DefaultPath = "/";

    /// <summary>Starts and, unless it is "/", may end with '/'; the longest matching prefix wins.</summary>
    public string Path { get; init; } = DefaultPath;

    /// <summary>
    /// Remove the prefix before forwarding. Off by default: authentik under AUTHENTIK_WEB__PATH
    /// expects to see its prefix.
    /// </summary>
    public bool StripPrefix { get; init; }

    /// <summary>Absolute http:// or https:// URLs with no path; requests are spread across them.</summary>
    public required IReadOnlyList<Uri> Upstreams { get; init; }

    public required UpstreamTlsConfig UpstreamTls { get; init; }

    /// <summary>Active health checks of the upstream servers; null (the default): passive checks only.</summary>
    public HealthCheckConfig? HealthCheck { get; init; }

    /// <summary>Check every request with authentik's outpost first; null: the site's, or none.</summary>
    public ForwardAuthConfig? ForwardAuth { get; init; }
}
