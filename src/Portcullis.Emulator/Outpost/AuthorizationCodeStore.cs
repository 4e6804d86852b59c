using System.Security.Cryptography;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// Codes handed out by the emulated authorize step, redeemed once by the outpost's callback
/// (the code exchange of oauth_callback.go <c>redeemCallback</c>, in process). A code lives a
/// minute, like authentik's; past <see cref="Capacity"/> open codes the oldest go.
/// </summary>
internal sealed class AuthorizationCodeStore
{
    private const int Capacity = 10_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Dictionary<string, (string Username, DateTimeOffset Expires)> _codes = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public AuthorizationCodeStore(TimeProvider time) => _time = time;

    public string Issue(string username)
    {
        var code = RandomNumberGenerator.GetHexString(40, lowercase: true);
        lock (_lock)
        {
            while (_codes.Count >= Capacity && _order.TryDequeue(out var oldest))
            {
                _codes.Remove(oldest);
            }

            _codes[code] = (username, _time.GetUtcNow() + Lifetime);
            _order.Enqueue(code);
        }

        return code;
    }

    /// <summary>The user the code was issued for; null when unknown, used or expired.</summary>
    public string? Redeem(string? code)
    {
        if (code is null)
        {
            return null;
        }

        lock (_lock)
        {
            return _codes.Remove(code, out var entry) && entry.Expires > _time.GetUtcNow() ? entry.Username : null;
        }
    }
}
