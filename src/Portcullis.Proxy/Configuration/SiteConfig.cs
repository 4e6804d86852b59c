namespace Portcullis.Proxy.Configuration;

/// <summary>One virtual host: the names it answers to, its certificate and its routes.</summary>
public sealed record SiteConfig
{
    /// <summary>Lower-case host names without port; "*.domain.tld" matches one label.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    public required SiteTlsConfig Tls { get; init; }

    /// <summary>
    /// The Strict-Transport-Security value when hsts is absent or true: a max-age (RFC 6797 §6.1.1)
    /// of two years, what hstspreload.org recommends.
    /// </summary>
    public const string DefaultHsts = "max-age=63072000";

    /// <summary>The Strict-Transport-Security value, or null when turned off.</summary>
    public string? Hsts { get; init; } = DefaultHsts;

    /// <summary>
    /// Whether the site's hsts key is present in the configuration (false: <see cref="Hsts"/> is
    /// the default), so that an upstream's own Strict-Transport-Security can be told from a choice
    /// made here.
    /// </summary>
    public bool HstsExplicit { get; init; }

    /// <summary>Forward auth for every route that names none of its own; null: none.</summary>
    public ForwardAuthConfig? ForwardAuth { get; init; }

    /// <summary>Answer plain HTTP with a 301 to HTTPS (true), or serve the site over HTTP as well.</summary>
    public bool RedirectHttp { get; init; } = true;

    public required IReadOnlyList<RouteConfig> Routes { get; init; }

    /// <summary>Where in the source the site starts, for messages.</summary>
    public required ConfigLocation Location { get; init; }
}
