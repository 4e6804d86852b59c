using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The answers to pending tls-alpn-01 challenges (RFC 8737): host → key authorization, for the
/// HTTPS listener to answer a handshake that offers only ALPN "acme-tls/1" with the challenge
/// certificate instead of the site's. Each challenge is also written under data_dir, so that
/// another instance sharing the volume answers a validation that reaches it: the lookup tries
/// memory, then the directory. Thread-safe.
/// </summary>
public sealed class TlsAlpn01ChallengeResponder : AcmeChallengeResponder
{
    /// <summary>The ALPN protocol ID of a validation handshake (RFC 8737 §6.2).</summary>
    public static readonly SslApplicationProtocol AcmeTls1 = new("acme-tls/1"u8.ToArray());

    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string KeyAuthorization, SslServerAuthenticationOptions Options)> _answers = new(StringComparer.Ordinal);
    private volatile string? _directory;

    /// <param name="directory">Where challenges are shared with other instances; null keeps them in memory only.</param>
    public TlsAlpn01ChallengeResponder(string? directory)
    {
        _directory = directory;
    }

    /// <summary>
    /// Where challenges are shared with other instances: moved by a reload that changes data_dir,
    /// so new challenges go where the instances sharing the new one look (null: memory only).
    /// </summary>
    public string? Directory
    {
        get => _directory;
        set => _directory = value;
    }

    public override string ChallengeType => AcmeChallenge.TlsAlpn01;

    /// <summary>The directory for challenges under a data directory.</summary>
    public static string DirectoryUnder(string dataDirectory) => Path.Combine(dataDirectory, "acme", "tls-alpn-01");

    /// <summary>The answer is found by host alone: the validator names it in SNI (RFC 8737 §3); the token is not sent.</summary>
    public override void Add(string host, string token, string keyAuthorization)
    {
        host = CheckHost(host);
        _pending[host] = keyAuthorization;
        if (_directory is { } directory)
        {
            // Not secret (a hash of it is in a certificate anyone may fetch), but only we write it.
            AtomicFile.Write(Path.Combine(directory, host), keyAuthorization, AtomicFile.WorldReadable);
        }
    }

    public override void Remove(string host, string token)
    {
        host = CheckHost(host);
        _pending.TryRemove(host, out _);
        _answers.TryRemove(host, out _);
        if (_directory is { } directory)
        {
            File.Delete(Path.Combine(directory, host));
        }
    }

    /// <summary>
    /// The TLS options that answer a validation of <paramref name="serverName"/>: the challenge
    /// certificate, ALPN "acme-tls/1" only, and TLS 1.2 or 1.3 (RFC 8737 §4 has CAs validate with
    /// TLS 1.2 or later; nothing but the certificate is ever sent on such a connection). Null
    /// when no challenge is pending for that name.
    /// </summary>
    public SslServerAuthenticationOptions? Find(string? serverName)
    {
        if (serverName is null || !IsHostName(serverName))
        {
            return null;
        }

        // RFC 6066 §3 and RFC 4343: host names compare without case.
        var host = serverName.ToLowerInvariant();
        if (KeyAuthorization(host) is not { } keyAuthorization)
        {
            _answers.TryRemove(host, out _);
            return null;
        }

        if (_answers.TryGetValue(host, out var answer) && answer.KeyAuthorization == keyAuthorization)
        {
            return answer.Options;
        }

        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(TlsAlpn01Certificate.Create(host, keyAuthorization), null, offline: true),
            ApplicationProtocols = [AcmeTls1],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
        _answers[host] = (keyAuthorization, options);
        return options;
    }

    private string? KeyAuthorization(string host)
    {
        if (_pending.TryGetValue(host, out var keyAuthorization) || _directory is not { } directory)
        {
            return keyAuthorization;
        }

        try
        {
            return File.ReadAllText(Path.Combine(directory, host));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // A DNS name (RFC 1123 §2.1 letters, digits, hyphens and dots), so it is also a safe file
    // name: no '/', no "..", no leading dot. SNI carries no wildcard or IP literal (RFC 6066 §3).
    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253 && name[0] != '.' && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');

    private static string CheckHost(string host) => IsHostName(host)
        ? host.ToLowerInvariant()
        : throw new ArgumentException($"'{host}' is not a DNS name a tls-alpn-01 challenge can be answered for (RFC 8737 §3)", nameof(host));
}
