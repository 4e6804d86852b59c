using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Health;
using Yarp.ReverseProxy.Forwarder;

namespace Portcullis.Proxy.Model;

/// <summary>
/// Everything a request needs, built from one validated <see cref="ProxyConfig"/> and swapped as
/// a whole on reload: a request reads one model from start to end.
/// </summary>
public sealed class RuntimeModel(ProxyConfig config, SiteTable sites, TrustedNetworks trusted, IReadOnlyDictionary<UpstreamClientKey, UpstreamClient> clients,
    HealthMonitor health)
{
    public ProxyConfig Config { get; } = config;

    public SiteTable Sites { get; } = sites;

    public TrustedNetworks Trusted { get; } = trusted;

    /// <summary>The pooled upstream clients, kept across reloads when their settings are unchanged.</summary>
    public IReadOnlyDictionary<UpstreamClientKey, UpstreamClient> Clients { get; } = clients;

    /// <summary>
    /// The sites' ACME certificate sources, kept across reloads while their settings are unchanged;
    /// started by the holder of the live model, stopped when a reload retires them or at shutdown.
    /// </summary>
    public IReadOnlyDictionary<Tls.AcmeCertificateSourceKey, Tls.AcmeCertificateSource> AcmeSources { get; init; } =
        new Dictionary<Tls.AcmeCertificateSourceKey, Tls.AcmeCertificateSource>();

    /// <summary>
    /// Whether an ACME site answers tls-alpn-01 (RFC 8737): only then do the HTTPS listeners look
    /// at a connection's ALPN offer before the handshake.
    /// </summary>
    public bool AnswersTlsAlpn01 { get; init; }

    /// <summary>The health probes of this model's routes; started by the holder of the live model once it serves.</summary>
    public HealthMonitor Health { get; } = health;

    /// <summary>HTTP/1.1 towards the upstream (the guide's proxy_http_version 1.1), with the response timeout.</summary>
    public ForwarderRequestConfig RequestConfig { get; } = new()
    {
        Version = System.Net.HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = config.Timeouts.UpstreamResponse,
        AllowResponseBuffering = false,
    };

    /// <summary>The site whose certificate answers a handshake without a known SNI name.</summary>
    public Site? DefaultSite => Sites.Sites.Count > 0 ? Sites.Sites[0] : null;
}
