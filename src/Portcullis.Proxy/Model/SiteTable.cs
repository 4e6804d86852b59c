using System.Collections.Frozen;

namespace Portcullis.Proxy.Model;

/// <summary>
/// Finds the site for a host name: exact names first, then "*.parent" wildcards (one label,
/// as in certificates, RFC 6125 §6.4.3). Used for both the TLS SNI and the Host header.
/// </summary>
public sealed class SiteTable
{
    private readonly FrozenDictionary<string, Site>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly FrozenDictionary<string, Site>.AlternateLookup<ReadOnlySpan<char>> _wildcards;
    private readonly bool _hasWildcards;

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

        // Span lookups: the Host header and SNI name are matched without a string per request.
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcards = wildcards.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _hasWildcards = wildcards.Count > 0;
    }

    public IReadOnlyList<Site> Sites { get; }

    public Site? Find(string? host) => Find(host.AsSpan());

    public Site? Find(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty)
        {
            return null;
        }

        if (_exact.TryGetValue(host, out var site))
        {
            return site;
        }

        var dot = host.IndexOf('.');
        return dot > 0 && _hasWildcards && _wildcards.TryGetValue(host[(dot + 1)..], out site) ? site : null;
    }
}
