using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Decides whether an upstream's certificate is accepted: the system's trust plus an optional CA
/// file, or an SPKI pin, or nothing at all when verify is false. A rejection is remembered per
/// upstream host so that the 502 page and the log can name the certificate and the setting that
/// would accept it, instead of a bare "SSL error".
/// </summary>
public sealed class UpstreamCertificatePolicy
{
    private readonly UpstreamTlsConfig _config;
    private readonly X509Certificate2Collection _extraRoots = [];
    private readonly ConcurrentDictionary<string, string> _rejections = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamCertificatePolicy(UpstreamTlsConfig config)
    {
        _config = config;
        if (config.CaPath is not null)
        {
            _extraRoots.ImportFromPemFile(config.CaPath);
            if (_extraRoots.Count == 0)
            {
                throw new InvalidDataException($"'{config.CaPath}' holds no PEM certificate.");
            }
        }
    }

    private volatile string? _lastRejection;

    /// <summary>
    /// The description of the last certificate rejected for this host, or of the last one rejected
    /// at all (the handshake does not always name the host, e.g. for an IP address).
    /// </summary>
    public string? RejectionFor(string host) => _rejections.TryGetValue(host, out var reason) ? reason : _lastRejection;

    /// <summary>
    /// The rejection behind a failed upstream request or WebSocket handshake, when a certificate
    /// (not a refused connection or a timeout) made it fail.
    /// </summary>
    public string? RejectionBehind(Exception? failure, string host) =>
        ExceptionChain.Find<System.Security.Authentication.AuthenticationException>(failure) is null ? null : RejectionFor(host);

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_config.Verify)
        {
            return true;
        }

        var host = sender switch
        {
            SslStream stream => stream.TargetHostName,
            HttpRequestMessage request => request.RequestUri?.IdnHost ?? "",
            _ => "",
        };
        if (certificate is not X509Certificate2 leaf)
        {
            _rejections[host] = "the upstream sent no certificate";
            return false;
        }

        if (_config.PinSha256.Count > 0)
        {
            // A pin replaces chain and name checks: the user named this exact key.
            var pin = CertificateFacts.SpkiPin(leaf);
            if (_config.PinSha256.Contains(pin) || chain?.ChainElements.Any(e => _config.PinSha256.Contains(CertificateFacts.SpkiPin(e.Certificate))) == true)
            {
                return Accept(host);
            }

            return Reject(host, leaf, "its key matches no pin_sha256");
        }

        if (errors == SslPolicyErrors.None)
        {
            return Accept(host);
        }

        if (_extraRoots.Count > 0 && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements.Skip(1))
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (custom.Build(leaf))
            {
                return Accept(host);
            }

            return Reject(host, leaf, "it is not signed by the CA in upstream_tls.ca (" + string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim())) + ")");
        }

        var reason = errors switch
        {
            SslPolicyErrors.RemoteCertificateNameMismatch => $"it is not valid for the name '{host}'",
            _ when errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) => "it is not signed by a trusted CA" +
                (chain is null ? "" : " (" + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct()) + ")"),
            _ => errors.ToString(),
        };
        return Reject(host, leaf, reason);
    }

    private bool Accept(string host)
    {
        _rejections.TryRemove(host, out _);
        _lastRejection = null;
        return true;
    }

    private bool Reject(string host, X509Certificate2 leaf, string reason)
    {
        _lastRejection = _rejections[host] = $"the upstream's certificate was rejected: {reason}; {CertificateFacts.Describe(leaf)}. " +
            $"To accept it: set upstream_tls.ca to the CA that signed it, or upstream_tls.pin_sha256: [\"{CertificateFacts.SpkiPin(leaf)}\"], " +
            "or upstream_tls.verify: false (only on a private network).";
        return false;
    }
}
