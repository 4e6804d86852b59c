using System.Security.Cryptography;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Health;
using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Model;

/// <summary>
/// Builds the runtime model from a validated configuration: loads certificates, prepares TLS
/// options, transformers and upstream clients. Reuses the previous model's upstream clients when
/// their settings are unchanged, so a reload keeps the warm connection pool, and the previous
/// model's health state and unchanged health probes, so a reload does not resurrect a dead server.
/// </summary>
public static class RuntimeModelBuilder
{
    public sealed record Result(RuntimeModel Model, IReadOnlyList<string> Warnings, IReadOnlyList<UpstreamClient> Retired);

    /// <param name="dryRun">Check only (portcullis validate): a missing certificate is generated in memory, nothing is written.</param>
    public static Result Build(ProxyConfig config, RuntimeModel? previous = null, bool dryRun = false)
    {
        var errors = new List<ConfigError>();
        var warnings = new List<string>();
        var trusted = new TrustedNetworks(config.TrustedProxies);
        var clients = new Dictionary<UpstreamClientKey, UpstreamClient>();
        var healthTable = previous?.Health.Table ?? new UpstreamHealthTable();
        var probes = new Dictionary<HealthProbeKey, HealthProbe>();
        var urls = new HashSet<string>(StringComparer.Ordinal);
        var sites = new List<Site>();
        var acmeSources = new Dictionary<AcmeCertificateSourceKey, AcmeCertificateSource>();
        WarnAboutAcmeListener(config, warnings);
        WarnAboutNamesNoPublicCaIssues(config, warnings);
        for (var i = 0; i < config.Sites.Count; i++)
        {
            var siteConfig = config.Sites[i];
            var certificate = LoadCertificate(config, siteConfig, i, previous, acmeSources, errors, warnings, dryRun);
            var routes = new List<Route>();
            for (var j = 0; j < siteConfig.Routes.Count; j++)
            {
                var routeConfig = siteConfig.Routes[j];
                var client = GetClient(config, routeConfig.UpstreamTls, previous, clients, healthTable, siteConfig.Location, $"sites[{i}].routes[{j}].upstream_tls", errors);
                if (client is null)
                {
                    continue;
                }

                var prefix = new PathPrefix(routeConfig.Path, routeConfig.StripPrefix);
                var health = new List<DestinationHealth>();
                foreach (var upstream in routeConfig.Upstreams)
                {
                    var url = upstream.GetLeftPart(UriPartial.Authority);
                    var destination = healthTable.GetOrAdd(url);
                    health.Add(destination);
                    urls.Add(url);
                    if (routeConfig.HealthCheck is { } check)
                    {
                        var key = new HealthProbeKey(url, check, client.Invoker);
                        if (!probes.ContainsKey(key))
                        {
                            probes[key] = previous is not null && previous.Health.Probes.TryGetValue(key, out var kept) ? kept : new HealthProbe(key, destination);
                        }
                    }
                }

                var forwardAuth = routeConfig.ForwardAuth ?? siteConfig.ForwardAuth;
                var outpost = forwardAuth is null ? null
                    : GetOutpost(config, forwardAuth, previous, clients, healthTable, siteConfig.Location, routeConfig.ForwardAuth is null ? $"sites[{i}].forward_auth" : $"sites[{i}].routes[{j}].forward_auth", errors);
                routes.Add(new Route(prefix, new UpstreamCluster(routeConfig.Upstreams, client, health), outpost));
            }

            // The outpost's own paths (start, callback, sign_out) on the app's host go to the
            // outpost unchecked, or the sign-in never completes (authentik #10848: "mismatched
            // session ID" when the callback lands elsewhere). A route the site names itself wins.
            if (routes.Select(r => r.ForwardAuth).OfType<Outpost>().FirstOrDefault() is { } siteOutpost
                && !routes.Any(r => r.Prefix.Value.TrimEnd('/') == Outpost.PathPrefix))
            {
                var url = siteOutpost.BaseUrl;
                routes.Add(new Route(new PathPrefix(Outpost.PathPrefix, strip: false),
                    new UpstreamCluster([new Uri(url)], siteOutpost.Client, [healthTable.GetOrAdd(url)])));
            }

            if (certificate is not null)
            {
                sites.Add(new Site(siteConfig.Hosts, certificate, siteConfig.Hsts, siteConfig.HstsExplicit, siteConfig.RedirectHttp, routes));
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        var retired = previous?.Clients.Where(pair => !clients.ContainsKey(pair.Key)).Select(pair => pair.Value).ToArray() ?? [];
        var model = new RuntimeModel(config, new SiteTable(sites), trusted, clients, new HealthMonitor(healthTable, probes, urls))
        {
            AcmeSources = acmeSources,
            AnswersTlsAlpn01 = acmeSources.Count > 0 && config.Acme!.ChallengesFor(config.Listen).Contains(AcmeChallengeNames.TlsAlpn01),
        };
        return new Result(model, warnings, retired);
    }

    // The CA connects to port 80 for http-01 (RFC 8555 §8.3) and to port 443 for tls-alpn-01 (RFC
    // 8737 §3). Another port works only when something maps the standard one to it (Docker's
    // -p 80:8080, a load balancer), which this process cannot see: a warning, not an error.
    private static void WarnAboutAcmeListener(ProxyConfig config, List<string> warnings)
    {
        if (config.Acme is not { } acme || !config.Sites.Any(site => ConfigValidator.UsesAcme(config, site)))
        {
            return;
        }

        var challenges = acme.ChallengesFor(config.Listen);
        if (challenges.Contains(AcmeChallengeNames.Http01) && config.Listen.Http.Count > 0 && !config.Listen.Http.Any(endpoint => endpoint.Port == 80))
        {
            warnings.Add($"acme: no HTTP listener on port 80 (listen.http: {string.Join(", ", config.Listen.Http)}); the CA validates http-01 on port 80, " +
                "so this works only if port 80 is forwarded here (a port mapping such as Docker's 80:8080). Otherwise listen on [::]:80." +
                (challenges.Contains(AcmeChallengeNames.TlsAlpn01) ? " tls-alpn-01 is answered too, and tried after a failed http-01." : ""));
        }

        if (challenges.Contains(AcmeChallengeNames.TlsAlpn01) && config.Listen.Https.Count > 0 && !config.Listen.Https.Any(endpoint => endpoint.Port == 443))
        {
            warnings.Add($"acme: no HTTPS listener on port 443 (listen.https: {string.Join(", ", config.Listen.Https)}); the CA validates tls-alpn-01 on port 443, " +
                "so this works only if port 443 is forwarded here (a port mapping such as Docker's 443:8443). Otherwise listen on [::]:443." +
                (challenges.Contains(AcmeChallengeNames.Http01) ? " http-01 is answered too, and tried after a failed tls-alpn-01." : ""));
        }
    }

    // Let's Encrypt issues only for names in the public DNS: a single label ("sso"), a special-use
    // name (RFC 6761: .test, .example, .invalid, .localhost; RFC 6762: .local; RFC 8375: .home.arpa;
    // ICANN's .internal) or .lan would fail every attempt. A private CA (step-ca) may issue for
    // them, so only Let's Encrypt's directories are warned about.
    private static readonly string[] NonPublicSuffixes = [".test", ".example", ".invalid", ".localhost", ".local", ".home.arpa", ".internal", ".lan"];

    private static void WarnAboutNamesNoPublicCaIssues(ProxyConfig config, List<string> warnings)
    {
        if (config.Acme is not { } acme || !acme.Directory.Host.EndsWith(".api.letsencrypt.org", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        foreach (var site in config.Sites.Where(site => ConfigValidator.UsesAcme(config, site)))
        {
            foreach (var host in site.Hosts.Where(host => !host.Contains('.', StringComparison.Ordinal)
                || NonPublicSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))))
            {
                warnings.Add($"acme: '{host}' is not a name in the public DNS, so Let's Encrypt will refuse it and every attempt fails: " +
                    "give its site tls.acme: false (a self-signed certificate) or tls.certificate and tls.key, or use a private CA (acme.directory, acme.ca).");
            }
        }
    }

    private static CertificateSource? LoadCertificate(ProxyConfig config, SiteConfig site, int index, RuntimeModel? previous,
        Dictionary<AcmeCertificateSourceKey, AcmeCertificateSource> acmeSources, List<ConfigError> errors, List<string> warnings, bool dryRun)
    {
        var tls = site.Tls;
        try
        {
            if (ConfigValidator.UsesAcme(config, site))
            {
                // The running source (issuer, backoff, the certificate it serves) survives a reload
                // that does not change what it depends on, like an upstream client's pool.
                var challenges = config.Acme!.ChallengesFor(config.Listen);
                var key = AcmeCertificateSourceKey.For(site.Hosts, config.Acme, challenges, config.DataDirectory, tls.MinVersion);
                if (previous is not null && previous.AcmeSources.TryGetValue(key, out var kept))
                {
                    acmeSources[key] = kept;
                    return kept;
                }

                AcmeCertificateSource acme;
                try
                {
                    acme = AcmeCertificateSource.Create(site.Hosts, config.Acme, challenges, config.DataDirectory, tls.MinVersion, dryRun);
                }
                catch (Exception ex) when (ex is InvalidDataException || (ex is CryptographicException && config.Acme!.CaPath is not null))
                {
                    errors.Add(new ConfigError(config.Acme!.Location, "acme.ca", $"the CA file could not be loaded: {ex.Message.Trim()}",
                        "give a PEM file with the ACME server's CA certificate(s), e.g. step-ca's root_ca.crt."));
                    return null;
                }

                acmeSources[key] = acme;
                return acme;
            }

            if (tls.CertificatePath is not null && tls.KeyPath is not null)
            {
                var files = new FileCertificateSource(tls.CertificatePath, tls.KeyPath, tls.MinVersion);
                if (files.Certificate.Leaf.NotAfter < DateTime.Now)
                {
                    warnings.Add($"the certificate of {string.Join(", ", site.Hosts)} expired on {files.Certificate.Leaf.NotAfter:u}: renew it (certbot renew); Portcullis picks up the new files without a restart.");
                }

                return files;
            }

            var generated = dryRun
                ? ServerCertificate.FromCertificate(SelfSignedCertificateStore.Create(site.Hosts), selfSigned: true)
                : SelfSignedCertificateStore.GetOrCreate(config.DataDirectory, site.Hosts);
            warnings.Add($"no certificate configured for {string.Join(", ", site.Hosts)}: serving a self-signed one from {config.DataDirectory} " +
                $"(SHA-256 {CertificateFacts.Fingerprint(generated.Leaf)}). Browsers will warn; set tls.certificate and tls.key.");
            return new SelfSignedCertificateSource(generated, dryRun ? "in memory" : config.DataDirectory, tls.MinVersion);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            errors.Add(new ConfigError(site.Location, $"sites[{index}].tls", $"the certificate could not be loaded: {ex.Message.Trim()}",
                "certificate must be a PEM chain (fullchain.pem) and key its PEM private key (privkey.pem), readable by Portcullis."));
            return null;
        }
    }

    private static Outpost? GetOutpost(ProxyConfig config, ForwardAuthConfig forwardAuth, RuntimeModel? previous,
        Dictionary<UpstreamClientKey, UpstreamClient> clients, UpstreamHealthTable health, ConfigLocation location, string key, List<ConfigError> errors)
    {
        var client = GetClient(config, forwardAuth.UpstreamTls, previous, clients, health, location, key + ".upstream_tls", errors);
        return client is null ? null : new Outpost(forwardAuth.Outpost, client, forwardAuth.Timeout);
    }

    private static UpstreamClient? GetClient(ProxyConfig config, UpstreamTlsConfig tls, RuntimeModel? previous,
        Dictionary<UpstreamClientKey, UpstreamClient> clients, UpstreamHealthTable health, ConfigLocation location, string key, List<ConfigError> errors)
    {
        var caTime = tls.CaPath is null ? default : File.GetLastWriteTimeUtc(tls.CaPath);
        var clientKey = new UpstreamClientKey(tls, config.Timeouts.UpstreamConnect, config.Limits.MaxResponseHeadersBytes, caTime);
        if (clients.TryGetValue(clientKey, out var client))
        {
            return client;
        }

        if (previous is not null && previous.Clients.TryGetValue(clientKey, out client))
        {
            clients[clientKey] = client;
            return client;
        }

        try
        {
            var policy = new UpstreamCertificatePolicy(tls);
            client = new UpstreamClient(UpstreamHandlerFactory.Create(policy, tls, config.Limits, config.Timeouts, health), policy);
            clients[clientKey] = client;
            return client;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(location, key + ".ca", $"the CA file could not be loaded: {ex.Message.Trim()}", "give a PEM file with one or more CA certificates."));
            return null;
        }
    }
}
