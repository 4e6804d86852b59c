using System.Collections.Concurrent;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// Anti-replay nonces (RFC 8555 §6.5) handed out by the server in Replay-Nonce on every response.
/// Each is used once; an empty pool is refilled by the caller with a HEAD to newNonce (§7.2).
/// </summary>
public sealed class AcmeNoncePool
{
    // A bounded pool: the server keeps a limited window of valid nonces, so old ones go stale.
    private const int Capacity = 16;
    private readonly ConcurrentQueue<string> _nonces = new();

    public int Count => _nonces.Count;

    /// <summary>Keeps the Replay-Nonce of a response, if it has one.</summary>
    public void Add(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values))
        {
            foreach (var value in values)
            {
                Add(value);
            }
        }
    }

    public void Add(string nonce)
    {
        // §6.5.1: a nonce is base64url; anything else is not ours to send back.
        if (nonce.Length == 0 || !nonce.All(IsBase64UrlCharacter))
        {
            return;
        }

        _nonces.Enqueue(nonce);
        while (_nonces.Count > Capacity && _nonces.TryDequeue(out _))
        {
        }
    }

    public bool TryTake(out string nonce) => _nonces.TryDequeue(out nonce!);

    internal static bool IsBase64UrlCharacter(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
