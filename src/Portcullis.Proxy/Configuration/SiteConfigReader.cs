namespace Portcullis.Proxy.Configuration;

/// <summary>Reads one item of sites: into a <see cref="SiteConfig"/>.</summary>
internal static class SiteConfigReader
{
    public static SiteConfig Read(ConfigSection section)
    {
        var hosts = ReadHosts(section);
        var tls = section.Section("tls", SiteTlsConfigReader.Read);
        var hstsNode = section.Scalar("hsts");
        var redirectHttp = section.Bool("redirect_http");
        var forwardAuth = section.OptionalSection("forward_auth", ForwardAuthConfigReader.Read);
        var routes = new List<RouteConfig>();
        section.Sections("routes",
            empty: ("a site needs at least one route.", "routes: [{ path: /, upstream: https://authentik:9443 }]."),
            notMapping: ("a route must be a mapping.", "write path: and upstream: under the dash."),
            route => routes.Add(RouteConfigReader.Read(route, routes)));

        var site = new SiteConfig { Hosts = hosts, Tls = tls, Routes = routes.ToArray(), Location = section.Location };
        return site with
        {
            Hsts = hstsNode is null ? site.Hsts : ParseHsts(section, hstsNode),
            HstsExplicit = hstsNode is not null,
            RedirectHttp = redirectHttp ?? site.RedirectHttp,
            ForwardAuth = forwardAuth,
        };
    }

    private static List<string> ReadHosts(ConfigSection section)
    {
        var hosts = new List<string>();
        foreach (var (item, value) in section.Texts("hosts") ?? [])
        {
            var host = value.Trim().TrimEnd('.').ToLowerInvariant();
            var bare = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (Uri.CheckHostName(bare) == UriHostNameType.Unknown || host.Contains(':') && Uri.CheckHostName(host) != UriHostNameType.IPv6)
            {
                section.Error("hosts", item, $"'{value}' is not a host name.", "write the name without scheme or port, e.g. sso.domain.tld or *.domain.tld.");
                continue;
            }

            hosts.Add(host);
        }

        if (hosts.Count == 0)
        {
            section.Error("hosts", section.Child("hosts") ?? section.Node, "a site needs at least one host name.", "hosts: [sso.domain.tld]. Requests for other names get 421/404, never the upstream.");
        }

        return hosts;
    }

    private static string? ParseHsts(ConfigSection section, YamlDotNet.RepresentationModel.YamlScalarNode node) => node.Value switch
    {
        "false" or "off" => null,
        "true" => SiteConfig.DefaultHsts,
        { } value when value.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase) => value,
        _ => section.Invalid<string>("hsts", node, $"'{node.Value}' is not a Strict-Transport-Security value.", "write \"max-age=63072000\" (optionally \"; includeSubDomains\"), or false."),
    };
}
