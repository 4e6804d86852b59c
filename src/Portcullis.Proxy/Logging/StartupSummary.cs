using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Logging;

/// <summary>The start-up lines: what listens where, for which hosts, to which upstreams.</summary>
public static class StartupSummary
{
    /// <param name="model">The model being served: its certificates are named (source, names, expiry).</param>
    public static void Log(ILogger logger, ProxyConfig config, ListenerAddresses addresses, RuntimeModel? model = null)
    {
        foreach (var address in addresses.Https)
        {
            logger.LogInformation("listening on {Address} (HTTPS: HTTP/1.1 and HTTP/2)", address);
        }

        foreach (var address in addresses.Http)
        {
            logger.LogInformation("listening on {Address} (HTTP: redirects to HTTPS)", address);
        }

        if (addresses.Admin is { } admin)
        {
            logger.LogInformation("admin listener on {Address} (/metrics, /healthz, /readyz; keep it private)", admin);
        }

        foreach (var site in config.Sites)
        {
            var tls = site.Tls.MinVersion.HasFlag(System.Security.Authentication.SslProtocols.Tls12) ? "TLS 1.2+1.3" : "TLS 1.3";
            foreach (var route in site.Routes)
            {
                var forwardAuth = route.ForwardAuth ?? site.ForwardAuth;
                logger.LogInformation("site {Hosts} [{Tls}, HSTS {Hsts}]: {Path} -> {Upstreams}{Verify}{ForwardAuth}",
                    string.Join(", ", site.Hosts), tls, site.Hsts is null ? "off" : "on", route.Path, string.Join(", ", route.Upstreams),
                    route.UpstreamTls.Verify ? "" : " (upstream certificate NOT verified)",
                    forwardAuth is null ? "" : $", signed in through the outpost {forwardAuth.Outpost.GetLeftPart(UriPartial.Authority)}");
            }
        }

        foreach (var site in model?.Sites.Sites ?? [])
        {
            Certificate(logger, site);
        }

        if (config.Listen.ProxyProtocol)
        {
            logger.LogInformation("PROXY protocol (v1 and v2) expected on every listener, believed from trusted proxies only; other peers are closed at accept");
        }

        logger.LogInformation("trusted proxies: {Trusted}", config.TrustedProxies.Count == 0 ? "none (forwarded headers from clients are replaced)" : string.Join(", ", config.TrustedProxies));
    }

    /// <summary>One line per site's certificate: where it comes from, the names it covers, until when.</summary>
    public static void Certificate(ILogger logger, Site site)
    {
        var leaf = site.Certificate.Certificate.Leaf;
        logger.LogInformation("certificate of {Hosts}: {Source}; names {Names}; valid until {NotAfter:u}",
            string.Join(", ", site.Hosts), site.Certificate.Description, Tls.CertificateFacts.DnsNames(leaf), leaf.NotAfter.ToUniversalTime());
    }
}
