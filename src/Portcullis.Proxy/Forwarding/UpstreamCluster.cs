using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// The upstream servers of one route and the pooled client that reaches them. Requests are
/// spread round-robin; a server that just refused a connection is skipped for a few seconds.
/// </summary>
public sealed class UpstreamCluster(IReadOnlyList<Uri> destinations, UpstreamClient client)
{
    private static readonly long PassiveBackoffTicks = TimeSpan.FromSeconds(5).Ticks;

    private readonly string[] _prefixes = destinations.Select(d => d.GetLeftPart(UriPartial.Authority)).ToArray();
    private readonly long[] _downUntil = new long[destinations.Count];
    private int _next = -1;

    public IReadOnlyList<Uri> Destinations { get; } = destinations;

    public UpstreamClient Client { get; } = client;

    /// <summary>Picks the destination for the next request: the next healthy one in turn.</summary>
    public int Pick()
    {
        var count = _prefixes.Length;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        if (count == 1)
        {
            return 0;
        }

        var now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        for (var i = 0; i < count; i++)
        {
            var candidate = (start + i) % count;
            if (Volatile.Read(ref _downUntil[candidate]) <= now)
            {
                return candidate;
            }
        }

        return start;
    }

    public string Prefix(int index) => _prefixes[index];

    /// <summary>Takes a destination out of rotation for a while after a failed connection.</summary>
    public void MarkFailed(int index) =>
        Volatile.Write(ref _downUntil[index], Environment.TickCount64 * TimeSpan.TicksPerMillisecond + PassiveBackoffTicks);
}
