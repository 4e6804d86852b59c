namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// Anti-replay nonces (RFC 8555 §6.5) handed out by the server in Replay-Nonce on every response.
/// Each is used once, newest first: the server keeps a limited window of valid nonces, and after
/// a badNonce error the nonce that came with the error is the one to retry with (§6.5). An empty
/// pool is refilled by the caller with a HEAD to newNonce (§7.2). Thread-safe.
/// </summary>
public sealed class AcmeNoncePool
{
    private const int Capacity = 16;
    private readonly List<string> _nonces = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nonces.Count;
            }
        }
    }

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

        lock (_lock)
        {
            _nonces.Add(nonce);
            if (_nonces.Count > Capacity)
            {
                _nonces.RemoveAt(0); // the oldest is the likeliest to have expired
            }
        }
    }

    /// <summary>The newest nonce, removed from the pool.</summary>
    public bool TryTake(out string nonce)
    {
        lock (_lock)
        {
            if (_nonces.Count == 0)
            {
                nonce = "";
                return false;
            }

            nonce = _nonces[^1];
            _nonces.RemoveAt(_nonces.Count - 1);
            return true;
        }
    }

    internal static bool IsBase64UrlCharacter(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
