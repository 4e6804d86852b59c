namespace Portcullis.Proxy.Configuration;

/// <summary>Reads one item of a site's routes: into a <see cref="RouteConfig"/>.</summary>
internal static class RouteConfigReader
{
    /// <param name="earlier">The routes of the same site read before this one, for prefixes routed twice.</param>
    public static RouteConfig Read(ConfigSection section, IReadOnlyList<RouteConfig> earlier)
    {
        var path = section.Text("path") ?? RouteConfig.DefaultPath;
        if (!path.StartsWith('/') || path.Contains('?') || path.Contains('#'))
        {
            section.Error("path", section.Child("path")!, $"'{path}' is not a path prefix.", "start it with '/', e.g. /authentik/.");
        }
        else if (earlier.Any(r => r.Path == path))
        {
            // No path: key means "/", so two routes without one collide with no node to point at.
            section.Error("path", section.Child("path") ?? section.Node, $"the prefix '{path}' is routed twice in this site.", "merge the two routes; give the upstream a list for several servers.");
        }

        var upstreams = new List<Uri>();
        var items = section.Texts("upstream");
        foreach (var (item, value) in items ?? [])
        {
            if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme is "http" or "https")
                && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0)
            {
                upstreams.Add(uri);
            }
            else
            {
                section.Error("upstream", item, $"'{value}' is not an upstream URL.", "write http://host:port or https://host:port with no path (use strip_prefix to change paths).");
            }
        }

        if (items is null)
        {
            section.Error("upstream", section.Node, "the route has no upstream.", "upstream: https://authentik:9443.");
        }

        var defaults = new RouteConfig { Upstreams = upstreams, UpstreamTls = UpstreamTlsConfig.Default };
        return defaults with
        {
            Path = path,
            StripPrefix = section.Bool("strip_prefix") ?? defaults.StripPrefix,
            UpstreamTls = section.Section("upstream_tls", UpstreamTlsConfigReader.Read),
            HealthCheck = section.OptionalSection("health_check", HealthCheckConfigReader.Read),
            ForwardAuth = section.OptionalSection("forward_auth", ForwardAuthConfigReader.Read),
        };
    }
}
