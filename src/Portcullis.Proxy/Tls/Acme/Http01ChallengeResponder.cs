using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The answers to pending http-01 challenges (RFC 8555 §8.3): token → key authorization, for the
/// request handler to serve at /.well-known/acme-challenge/&lt;token&gt; over plain HTTP. Each
/// challenge is also written to a directory under data_dir, so that another instance sharing the
/// volume (behind the same load balancer) answers a validation that reaches it instead: the
/// lookup tries memory, then the directory. Thread-safe.
/// </summary>
public sealed class Http01ChallengeResponder : AcmeChallengeResponder
{
    /// <summary>The path prefix of http-01 (RFC 8555 §8.3).</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);
    private volatile string? _directory;

    /// <param name="directory">Where challenges are shared with other instances; null keeps them in memory only.</param>
    public Http01ChallengeResponder(string? directory)
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

    /// <summary>The directory for challenges under a data directory.</summary>
    public static string DirectoryUnder(string dataDirectory) => Path.Combine(dataDirectory, "acme", "http-01");

    public override string ChallengeType => AcmeChallenge.Http01;

    /// <summary>The answer is found by token alone: the CA asks for the token's path on any of the site's names.</summary>
    public override void Add(string host, string token, string keyAuthorization) => Add(token, keyAuthorization);

    public override void Remove(string host, string token) => Remove(token);

    public void Add(string token, string keyAuthorization)
    {
        CheckToken(token);
        _pending[token] = keyAuthorization;
        if (_directory is { } directory)
        {
            // Not secret (the CA fetches it in the clear), but only we need to write it.
            AtomicFile.Write(Path.Combine(directory, token), keyAuthorization, AtomicFile.WorldReadable);
        }
    }

    public void Remove(string token)
    {
        CheckToken(token);
        _pending.TryRemove(token, out _);
        if (_directory is { } directory)
        {
            File.Delete(Path.Combine(directory, token));
        }
    }

    /// <summary>
    /// The body to answer a request path with (send it as 200, Content-Type
    /// application/octet-stream, RFC 8555 §8.3), or false when the path is not a pending challenge.
    /// </summary>
    public bool TryGetKeyAuthorization(string path, [NotNullWhen(true)] out string? keyAuthorization)
    {
        keyAuthorization = null;
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var token = path[PathPrefix.Length..];
        // RFC 8555 §8.3: tokens are base64url, so no '/', '.' or '%' can turn the path into another file.
        if (token.Length == 0 || !token.All(AcmeNoncePool.IsBase64UrlCharacter))
        {
            return false;
        }

        if (_pending.TryGetValue(token, out keyAuthorization))
        {
            return true;
        }

        if (_directory is not { } directory)
        {
            return false;
        }

        try
        {
            keyAuthorization = File.ReadAllText(Path.Combine(directory, token));
            return true;
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            keyAuthorization = null;
            return false;
        }
    }

    private static void CheckToken(string token)
    {
        if (token.Length == 0 || !token.All(AcmeNoncePool.IsBase64UrlCharacter))
        {
            throw new ArgumentException("an http-01 token is base64url (RFC 8555 §8.3)", nameof(token));
        }
    }
}
