namespace Portcullis.Proxy.Configuration;

/// <summary>
/// Checks that span several keys or reach outside the file: host names claimed twice, files that
/// are not there. Runs after <see cref="ConfigReader"/> has produced well-typed records.
/// </summary>
internal static class ConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(ProxyConfig config)
    {
        var errors = new List<ConfigError>();
        var owners = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.Sites.Count; i++)
        {
            var site = config.Sites[i];
            foreach (var host in site.Hosts)
            {
                if (owners.TryGetValue(host, out var owner))
                {
                    errors.Add(new ConfigError(site.Location, $"sites[{i}].hosts", $"'{host}' is already served by sites[{owner}].",
                        "a host name belongs to one site; put its paths as routes of that site."));
                }
                else
                {
                    owners[host] = i;
                }
            }

            CheckFile(errors, site.Location, $"sites[{i}].tls.certificate", site.Tls.CertificatePath, "the PEM certificate chain, e.g. /etc/letsencrypt/live/domain.tld/fullchain.pem");
            CheckFile(errors, site.Location, $"sites[{i}].tls.key", site.Tls.KeyPath, "the PEM private key, e.g. /etc/letsencrypt/live/domain.tld/privkey.pem");
            for (var j = 0; j < site.Routes.Count; j++)
            {
                CheckFile(errors, site.Location, $"sites[{i}].routes[{j}].upstream_tls.ca", site.Routes[j].UpstreamTls.CaPath, "a PEM file with the CA certificate(s) that signed the upstream's certificate");
            }
        }

        CheckForwardAuthLoops(config, errors);
        if (config.Listen.Http.Count + config.Listen.Https.Count == 0)
        {
            errors.Add(new ConfigError(new ConfigLocation(config.Source, 0, 0), "listen", "nothing to listen on.", "give listen.https (and listen.http for the redirect)."));
        }

        if (config.Listen.ProxyProtocol && config.TrustedProxies.Count == 0)
        {
            // A header is believed only from trusted_proxies (proxy-protocol.txt section 5): with
            // none, every connection would be closed at accept.
            errors.Add(new ConfigError(config.Listen.ProxyProtocolLocation, "listen.proxy_protocol",
                "is on, but trusted_proxies is empty: no peer's PROXY header would be believed and every connection would be closed.",
                "add the load balancer's addresses to trusted_proxies (e.g. trusted_proxies: [\"10.0.0.0/8\"]), or remove proxy_protocol."));
        }

        if (config.Admin is { } admin)
        {
            CheckAdminListen(errors, config.Listen, admin);
        }

        if (config.Acme is { } acme)
        {
            CheckAcme(errors, config, acme);
        }

        return errors;
    }

    // http-01 validates on plain HTTP (RFC 8555 §8.3), tls-alpn-01 in the TLS handshake (RFC 8737
    // §3), and a wildcard can only be proven with dns-01 (RFC 8555 §7.1.3, §8.4), which Portcullis
    // does not do (docs/acme.md). What would fail at the CA is refused here.
    private static void CheckAcme(List<ConfigError> errors, ProxyConfig config, AcmeConfig acme)
    {
        CheckFile(errors, acme.Location, "acme.ca", acme.CaPath, "a PEM file with the CA certificate(s) of the ACME server (e.g. step-ca's root_ca.crt or pebble's pebble.minica.pem)");
        var acmeSites = 0;
        for (var i = 0; i < config.Sites.Count; i++)
        {
            var site = config.Sites[i];
            if (!UsesAcme(config, site))
            {
                continue;
            }

            acmeSites++;
            if (site.Hosts.FirstOrDefault(host => host.Contains('*', StringComparison.Ordinal)) is { } wildcard)
            {
                errors.Add(new ConfigError(site.Location, $"sites[{i}].hosts", $"'{wildcard}' is a wildcard: an ACME certificate for it needs the dns-01 challenge, which Portcullis does not do.",
                    "name each host (sso.domain.tld, app.domain.tld), or give this site tls.certificate and tls.key from a wildcard certificate obtained elsewhere, or tls.acme: false for a self-signed one."));
            }

            if (site.Hosts.FirstOrDefault(host => System.Net.IPAddress.TryParse(host, out _)) is { } address)
            {
                // RFC 8738's IP identifiers are not implemented: the order would name a DNS identifier the CA refuses.
                errors.Add(new ConfigError(site.Location, $"sites[{i}].hosts", $"'{address}' is an IP address: Portcullis orders ACME certificates for DNS names only.",
                    "name the host by DNS, or give this site tls.certificate and tls.key, or tls.acme: false for a self-signed certificate."));
            }
        }

        if (acmeSites == 0)
        {
            return;
        }

        var challenges = acme.ChallengesFor(config.Listen);
        if (challenges.Contains(AcmeChallengeNames.Http01) && config.Listen.Http.Count == 0)
        {
            errors.Add(new ConfigError(acme.Location, "acme.challenges", "lists http-01, but listen.http is empty: the CA checks http-01 over plain HTTP (RFC 8555 §8.3).",
                "add an HTTP listener, e.g. listen: { http: [\"[::]:80\"] } (or 8080 behind a port mapping 80:8080), or answer tls-alpn-01 only: acme: { challenges: [tls-alpn-01] }."));
        }

        if (challenges.Contains(AcmeChallengeNames.TlsAlpn01) && config.Listen.Https.Count == 0)
        {
            errors.Add(new ConfigError(acme.Location, "acme.challenges", "lists tls-alpn-01, but listen.https is empty: the CA checks tls-alpn-01 in a TLS handshake (RFC 8737 §3).",
                "add an HTTPS listener, e.g. listen: { https: [\"[::]:443\"] }, or answer http-01 only: acme: { challenges: [http-01] }."));
        }

        if (challenges.Count == 0)
        {
            errors.Add(new ConfigError(acme.Location, "acme", "is on, but there is neither an HTTP listener (for http-01) nor an HTTPS listener (for tls-alpn-01): the CA cannot validate any site.",
                "listen on [::]:80 and [::]:443, or give every site tls.certificate and tls.key."));
        }
    }

    /// <summary>Whether a site gets its certificate from ACME: acme is on, the site names no certificate files and does not say tls.acme: false.</summary>
    public static bool UsesAcme(ProxyConfig config, SiteConfig site) => config.Acme is not null && site.Tls.CertificatePath is null && site.Tls.Acme;

    // The admin listener serves metrics and health, which name every site and upstream: it must not be
    // reachable as, or share a socket with, a public listener (and two listeners cannot bind one address).
    private static void CheckAdminListen(List<ConfigError> errors, ListenConfig listen, AdminConfig admin)
    {
        foreach (var (key, endpoints) in new[] { ("listen.http", listen.Http), ("listen.https", listen.Https) })
        {
            if (endpoints.FirstOrDefault(e => Overlaps(e, admin.Listen)) is { } taken)
            {
                errors.Add(new ConfigError(admin.Location, "admin.listen", $"{admin.Listen} is also a public listener's address ({key}: {taken}).",
                    "give the admin listener a port of its own on a private address, e.g. 127.0.0.1:9901."));
            }
        }
    }

    // The same port on the same address, or on a wildcard address of the same family ("[::]" is
    // bound IPv6-only, so it does not cover 127.0.0.1).
    private static bool Overlaps(System.Net.IPEndPoint a, System.Net.IPEndPoint b)
    {
        if (a.Port != b.Port || a.Port == 0)
        {
            // Port 0 asks the system for a free port: never one another listener has.
            return false;
        }

        static bool Wildcard(System.Net.IPAddress address) =>
            address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any);

        return a.Address.Equals(b.Address)
            || (a.AddressFamily == b.AddressFamily && (Wildcard(a.Address) || Wildcard(b.Address)));
    }

    // An outpost reached through a site that is itself behind forward auth asks itself for
    // permission forever: the browser sees a redirect loop (authentik #14805, #10838).
    private static void CheckForwardAuthLoops(ProxyConfig config, List<ConfigError> errors)
    {
        for (var i = 0; i < config.Sites.Count; i++)
        {
            var site = config.Sites[i];
            for (var j = 0; j < site.Routes.Count; j++)
            {
                var (forwardAuth, key) = site.Routes[j].ForwardAuth is { } own ? (own, $"sites[{i}].routes[{j}].forward_auth.outpost") : (site.ForwardAuth, $"sites[{i}].forward_auth.outpost");
                if (forwardAuth is null)
                {
                    continue;
                }

                var outpostHost = forwardAuth.Outpost.IdnHost;
                var serving = config.Sites.Select((s, index) => (s, index)).FirstOrDefault(x => x.s.Hosts.Contains(outpostHost, StringComparer.OrdinalIgnoreCase));
                if (serving.s is { } outpostSite && (outpostSite.ForwardAuth is not null || outpostSite.Routes.Any(r => r.ForwardAuth is not null)))
                {
                    errors.Add(new ConfigError(forwardAuth.Location, key,
                        $"the outpost {forwardAuth.Outpost.GetLeftPart(UriPartial.Authority)} is served by sites[{serving.index}], which is itself behind forward auth: every check would need a check (a redirect loop).",
                        "point outpost at authentik's server directly (http://authentik-server:9000), and keep forward_auth off the site that serves authentik."));
                    break;
                }
            }
        }
    }

    private static void CheckFile(List<ConfigError> errors, ConfigLocation location, string key, string? path, string what)
    {
        if (path is not null && !File.Exists(path))
        {
            errors.Add(new ConfigError(location, key, $"file '{path}' does not exist or cannot be read.", $"point it at {what}."));
        }
    }
}
