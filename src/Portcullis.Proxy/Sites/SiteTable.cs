using System.Collections.Frozen;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Sites;

/// <summary>
/// Finds the site for a host name: exact names first, then "*.parent" wildcards (one label,
/// as in certificates, RFC 6125 §6.4.3). Used for both the TLS SNI and the Host header.
/// </summary>
public sealed class SiteTable
{
    private readonly FrozenDictionary<string, Site> _exact;
    private readonly FrozenDictionary<string, Site> _wildcards;

    public SiteTable(IReadOnlyList<Site> sites)
    {
        Sites = sites;
        var exact = new Dictionary<string, Site>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new Dictionary<string, Site>(StringComparer.OrdinalIgnoreCase);
        foreach (var site in sites)
        {
            foreach (var host in site.Hosts)
            {
                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcards[host[2..]] = site;
                }
                else
                {
                    exact[host] = site;
                }
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _wildcards = wildcards.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<Site> Sites { get; }

    public Site? Find(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        if (_exact.TryGetValue(host, out var site))
        {
            return site;
        }

        var dot = host.IndexOf('.');
        return dot > 0 && _wildcards.Count > 0 && _wildcards.TryGetValue(host[(dot + 1)..], out site) ? site : null;
    }
}
