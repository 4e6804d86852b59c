namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The wait after failed attempts: doubling from an initial delay up to a cap, and never shorter
/// than the CA's Retry-After (RFC 8555 §6.6: a rateLimited client waits at least that long).
/// </summary>
public static class AcmeBackoff
{
    public static TimeSpan Delay(int consecutiveFailures, TimeSpan initial, TimeSpan cap, TimeSpan? retryAfter)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var delay = TimeSpan.FromTicks((long)Math.Min(initial.Ticks * Math.Pow(2, exponent), cap.Ticks));
        return retryAfter is { } serverWait && serverWait > delay ? serverWait : delay;
    }
}
