using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Model;

/// <summary>A site ready to serve: its certificate source, its HSTS policy, its routes ordered.</summary>
/// <param name="hsts">The Strict-Transport-Security value Portcullis sends, null when off.</param>
/// <param name="hstsOverridesUpstream">True when the site's hsts was set in the configuration: it then
/// replaces the upstream's own header; otherwise the upstream's header, when it sends one, is kept.</param>
public sealed class Site(IReadOnlyList<string> hosts, CertificateSource certificate, string? hsts, bool hstsOverridesUpstream,
    bool redirectHttp, IReadOnlyList<Route> routes)
{
    public IReadOnlyList<string> Hosts { get; } = hosts;

    /// <summary>Asked at every TLS handshake for the site's current certificate.</summary>
    public CertificateSource Certificate { get; } = certificate;

    public string? Hsts { get; } = hsts;

    public bool HstsOverridesUpstream { get; } = hstsOverridesUpstream;

    public bool RedirectHttp { get; } = redirectHttp;

    /// <summary>Longest prefix first, so the first match is the longest one.</summary>
    public Route[] Routes { get; } = routes.OrderByDescending(r => r.Prefix.Value.Length).ToArray();

    public Route? Match(string path)
    {
        foreach (var route in Routes)
        {
            if (route.Prefix.Matches(path))
            {
                return route;
            }
        }

        return null;
    }
}
