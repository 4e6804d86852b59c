using System.Net;

namespace Portcullis.Proxy.Configuration;

/// <summary>Reads the root of the configuration file into a <see cref="ProxyConfig"/>.</summary>
internal static class ProxyConfigReader
{
    public static ProxyConfig Read(ConfigSection root, string source, IReadOnlyList<string> watchedFiles) => new()
    {
        Source = source,
        Listen = root.Section("listen", ListenConfigReader.Read),
        TrustedProxies = (root.Texts("trusted_proxies") ?? [])
            .Select(item => ParseNetwork(root, item.Node, item.Value)).OfType<IPNetwork>().ToArray(),
        DataDirectory = root.DirectoryPath("data_dir") ?? ProxyConfig.DefaultDataDirectory(),
        Limits = root.Section("limits", LimitsConfigReader.Read),
        Timeouts = root.Section("timeouts", TimeoutsConfigReader.Read),
        Log = root.Section("log", LogConfigReader.Read),
        Sites = ReadSites(root),
        Admin = root.Section("admin", AdminConfigReader.Read),
        Acme = root.OptionalSection("acme", AcmeConfigReader.Read),
        WatchedFiles = watchedFiles,
    };

    private static SiteConfig[] ReadSites(ConfigSection root)
    {
        var sites = new List<SiteConfig>();
        root.Sections("sites",
            empty: ("no site is configured.", "add a site: sites: [{ hosts: [sso.domain.tld], routes: [{ path: /, upstream: https://authentik:9443 }] }]."),
            notMapping: ("a site must be a mapping.", "write hosts:, tls:, routes: under the dash."),
            site => sites.Add(SiteConfigReader.Read(site)));
        return sites.ToArray();
    }

    private static IPNetwork? ParseNetwork(ConfigSection root, YamlDotNet.RepresentationModel.YamlNode node, string value)
    {
        var text = value.Contains('/') ? value : value + (value.Contains(':') ? "/128" : "/32");
        // .NET 10 masks host bits away silently ("10.0.0.1/8" becomes 10.0.0.0/8); a user who wrote
        // them most likely meant one address, so say so instead of trusting a whole network.
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/')), out var address)
            && network.BaseAddress.Equals(address))
        {
            return network;
        }

        root.Error("trusted_proxies", node, $"'{value}' is not a CIDR.", "write an address with a prefix length and no host bits set, e.g. 10.0.0.0/8 or fd00::/8.");
        return null;
    }
}
