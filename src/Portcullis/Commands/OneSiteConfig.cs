using Portcullis.Proxy.Configuration;
using YamlDotNet.RepresentationModel;

namespace Portcullis.Commands;

/// <summary>
/// The one-site case from flags (portcullis run --host … --upstream …), turned into the same tree
/// a file would give, so flags are checked by exactly the same code as the file.
/// </summary>
internal sealed record OneSiteConfig(
    string Host,
    string Upstream,
    string? Certificate,
    string? Key,
    IReadOnlyList<string> Http,
    IReadOnlyList<string> Https,
    IReadOnlyList<string> TrustedProxies,
    bool UpstreamInsecure,
    string? AcmeEmail = null)
{
    public ProxyConfig Load(System.Collections.IDictionary environment)
    {
        var origins = new NodeOrigins("command line");
        var site = new YamlMappingNode
        {
            { "hosts", Flag(origins, "--host", new YamlSequenceNode(new YamlScalarNode(Host))) },
        };
        if (Certificate is not null || Key is not null)
        {
            var tls = new YamlMappingNode();
            if (Certificate is not null)
            {
                tls.Add("certificate", Flag(origins, "--cert", new YamlScalarNode(Certificate)));
            }

            if (Key is not null)
            {
                tls.Add("key", Flag(origins, "--key", new YamlScalarNode(Key)));
            }

            site.Add("tls", Flag(origins, "--cert/--key", tls));
        }

        var route = new YamlMappingNode
        {
            { "path", "/" },
            { "upstream", Flag(origins, "--upstream", new YamlScalarNode(Upstream)) },
        };
        if (UpstreamInsecure)
        {
            route.Add("upstream_tls", Flag(origins, "--upstream-insecure", new YamlMappingNode { { "verify", "false" } }));
        }

        site.Add("routes", new YamlSequenceNode(route));
        var root = new YamlMappingNode { { "sites", new YamlSequenceNode(site) } };
        var listen = new YamlMappingNode();
        if (Http.Count > 0)
        {
            listen.Add("http", Flag(origins, "--http", new YamlSequenceNode(Http.Select(a => new YamlScalarNode(a)))));
        }

        if (Https.Count > 0)
        {
            listen.Add("https", Flag(origins, "--https", new YamlSequenceNode(Https.Select(a => new YamlScalarNode(a)))));
        }

        if (listen.Children.Count > 0)
        {
            root.Add("listen", listen);
        }

        if (TrustedProxies.Count > 0)
        {
            root.Add("trusted_proxies", Flag(origins, "--trusted-proxy", new YamlSequenceNode(TrustedProxies.Select(a => new YamlScalarNode(a)))));
        }

        if (AcmeEmail is not null)
        {
            // acme with the default directory (Let's Encrypt): the site, having no --cert, gets its certificate from it.
            root.Add("acme", Flag(origins, "--acme-email", new YamlMappingNode { { "email", new YamlScalarNode(AcmeEmail) } }));
        }

        foreach (var node in root.AllNodes.Where(n => origins.Locate(n).Line > 0).ToList())
        {
            origins.Register(node, "command line");
        }

        return ConfigLoader.Load(root, origins, Directory.GetCurrentDirectory(), environment);
    }

    private static YamlNode Flag(NodeOrigins origins, string flag, YamlNode node)
    {
        foreach (var child in node.AllNodes)
        {
            origins.Register(child, "flag " + flag);
        }

        return node;
    }
}
