using System.Net.Security;
using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Model;

/// <summary>A site ready to serve: its certificate and TLS options built, its routes ordered.</summary>
public sealed class Site(IReadOnlyList<string> hosts, ServerCertificate certificate, SslServerAuthenticationOptions tlsOptions,
    string? hsts, bool redirectHttp, IReadOnlyList<Route> routes)
{
    public IReadOnlyList<string> Hosts { get; } = hosts;

    public ServerCertificate Certificate { get; } = certificate;

    public SslServerAuthenticationOptions TlsOptions { get; } = tlsOptions;

    public string? Hsts { get; } = hsts;

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
