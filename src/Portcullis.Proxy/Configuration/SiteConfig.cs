namespace Portcullis.Proxy.Configuration;

/// <summary>One virtual host: the names it answers to, its certificate and its routes.</summary>
public sealed record SiteConfig
{
    /// <summary>Lower-case host names without port; "*.domain.tld" matches one label.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    public required SiteTlsConfig Tls { get; init; }

    /// <summary>The Strict-Transport-Security value, or null when turned off.</summary>
    public required string? Hsts { get; init; }

    /// <summary>True when the site's hsts key is in the file: its value then replaces the upstream's own header.</summary>
    public bool HstsExplicit { get; init; }

    /// <summary>Answer plain HTTP with a 301 to HTTPS (true), or serve the site over HTTP as well.</summary>
    public required bool RedirectHttp { get; init; }

    public required IReadOnlyList<RouteConfig> Routes { get; init; }

    /// <summary>Where in the source the site starts, for messages.</summary>
    public required ConfigLocation Location { get; init; }
}
