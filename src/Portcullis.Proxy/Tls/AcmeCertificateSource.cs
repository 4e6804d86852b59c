using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// A site's certificate from an ACME CA (docs/acme.md). Serves the stored certificate at once when
/// data_dir has a good one, else a temporary self-signed one (in memory, logged) until the first
/// is issued; its <see cref="AcmeIssuer"/> runs in the background from <see cref="Start"/> and every
/// certificate it gets is swapped in for the next handshake, connections already open keep theirs.
/// Built without starting anything, so `portcullis validate` and a model a reload rejects order
/// nothing and write nothing; kept across reloads while its <see cref="AcmeCertificateSourceKey"/> is unchanged.
/// </summary>
public sealed class AcmeCertificateSource : CertificateSource
{
    private readonly Lock _lock = new();
    private readonly IReadOnlyList<string> _hosts;
    private readonly IReadOnlyList<string> _challenges;
    private readonly AcmeConfig _acme;
    private readonly string _dataDirectory;
    private readonly X509Certificate2Collection _extraRoots;
    private CancellationTokenSource? _stopping;
    private Task _running = Task.CompletedTask;
    private bool _stopped;

    private AcmeCertificateSource(ServerCertificate initial, bool waiting, IReadOnlyList<string> hosts, AcmeConfig acme, IReadOnlyList<string> challenges, string dataDirectory,
        SslProtocols protocols, X509Certificate2Collection extraRoots)
        : base(initial, protocols)
    {
        Waiting = waiting;
        _extraRoots = extraRoots;
        _hosts = hosts.ToArray();
        _challenges = challenges.ToArray();
        _acme = acme;
        _dataDirectory = dataDirectory;
        Key = AcmeCertificateSourceKey.For(hosts, acme, challenges, dataDirectory, protocols);
    }

    /// <param name="challenges">The challenge types to answer, preferred first (<see cref="AcmeConfig.ChallengesFor"/>).</param>
    /// <param name="dryRun">Check only: data_dir is not read, the temporary certificate is served.</param>
    /// <exception cref="InvalidDataException">acme.ca holds no PEM certificate (read here, so the configuration is rejected, not the start).</exception>
    public static AcmeCertificateSource Create(IReadOnlyList<string> hosts, AcmeConfig acme, IReadOnlyList<string> challenges, string dataDirectory, SslProtocols protocols, bool dryRun)
    {
        var extraRoots = new X509Certificate2Collection();
        if (acme.CaPath is not null)
        {
            extraRoots.ImportFromPemFile(acme.CaPath);
            if (extraRoots.Count == 0)
            {
                throw new InvalidDataException($"'{acme.CaPath}' holds no PEM certificate.");
            }
        }

        if (!dryRun && new AcmeStore(dataDirectory, acme.Directory).LoadCertificate(hosts) is { } stored
            && stored.Covers(hosts) && stored.NotAfter > DateTimeOffset.UtcNow)
        {
            return new AcmeCertificateSource(stored.ToServerCertificate(), waiting: false, hosts, acme, challenges, dataDirectory, protocols, extraRoots);
        }

        var temporary = ServerCertificate.FromCertificate(SelfSignedCertificateStore.Create(hosts, "Portcullis temporary certificate - waiting for ACME"), selfSigned: true);
        return new AcmeCertificateSource(temporary, waiting: true, hosts, acme, challenges, dataDirectory, protocols, extraRoots);
    }

    public AcmeCertificateSourceKey Key { get; }

    /// <summary>True while the temporary self-signed certificate is served (no ACME certificate yet).</summary>
    public bool Waiting { get; private set; }

    /// <summary>The issuer once started, for logs and tests; null before <see cref="Start"/>.</summary>
    public AcmeIssuer? Issuer { get; private set; }

    /// <summary>Raised with each certificate the issuer swaps in, after the swap.</summary>
    public event Action<ServerCertificate>? Served;

    public override string Description => Waiting
        ? $"ACME from {_acme.Directory}, waiting for its first certificate (a temporary self-signed one is served)"
        : $"ACME from {_acme.Directory}, kept in {_dataDirectory}";

    /// <summary>
    /// Starts the issuer in the background (once; later calls do nothing): the model holding this
    /// source has gone live. <paramref name="responders"/> are the process's responders the
    /// listeners answer from, one per challenge type; the issuer uses those this source's
    /// challenges name, in their order.
    /// </summary>
    public void Start(IReadOnlyList<AcmeChallengeResponder> responders, ILogger logger)
    {
        lock (_lock)
        {
            if (Issuer is not null || _stopped)
            {
                return;
            }

            var http = CreateHttpClient(_extraRoots);
            var issuer = new AcmeIssuer(new AcmeIssuerOptions
            {
                DirectoryUrl = _acme.Directory,
                DataDirectory = _dataDirectory,
                HttpClient = http,
                // RFC 8555 §7.3: the contact is a mailto: URL.
                Client = new AcmeClientOptions { Contact = ["mailto:" + _acme.Email] },
                Logger = logger,
            }, _hosts, _challenges.Select(type => responders.First(responder => responder.ChallengeType == type)).ToArray());
            issuer.CertificateChanged += certificate => Swap(certificate, logger);
            Issuer = issuer;
            _stopping = new CancellationTokenSource();
            if (Waiting)
            {
                logger.LogWarning("site {Hosts} is waiting for its first ACME certificate from {Directory}: a temporary self-signed certificate is served until then (browsers will warn)",
                    string.Join(", ", _hosts), _acme.Directory);
            }

            var token = _stopping.Token;
            _running = Task.Run(() => issuer.RunAsync(token), CancellationToken.None).ContinueWith(_ =>
            {
                issuer.Dispose();
                http.Dispose();
            }, TaskScheduler.Default);
        }
    }

    /// <summary>Stops the issuer (retired by a reload, or shutdown); completes when it has stopped. A stopped source never starts again.</summary>
    public Task StopAsync()
    {
        lock (_lock)
        {
            _stopped = true;
            _stopping?.Cancel();
            return _running;
        }
    }

    private void Swap(AcmeCertificate certificate, ILogger logger)
    {
        var served = certificate.ToServerCertificate();
        Serve(served);
        Waiting = false;
        logger.LogInformation("site {Hosts} now serves its ACME certificate for {Names}, valid until {NotAfter:u}",
            string.Join(", ", _hosts), string.Join(", ", certificate.DnsNames()), certificate.NotAfter);
        Served?.Invoke(served);
    }

    // The CA's own HTTPS certificate: the system's roots, and acme.ca's certificates as extra roots
    // for a private CA (step-ca, pebble). The name is checked either way.
    private static HttpClient CreateHttpClient(X509Certificate2Collection roots)
    {
        if (roots.Count == 0)
        {
            return new HttpClient();
        }

        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }

                    if (certificate is not X509Certificate2 leaf || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var custom = new X509Chain();
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.AddRange(roots);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (chain is not null)
                    {
                        foreach (var element in chain.ChainElements.Skip(1))
                        {
                            custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                        }
                    }

                    return custom.Build(leaf);
                },
            },
        });
    }
}
