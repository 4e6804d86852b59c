using Portcullis.Proxy.Health;

namespace Portcullis.Proxy.Model;

/// <summary>
/// The upstream servers of one route and the pooled client that reaches them. Requests are
/// spread round-robin over the servers in rotation; <see cref="DestinationHealth"/> says which
/// are (passive and active health checks).
/// </summary>
public sealed class UpstreamCluster
{
    private readonly string[] _prefixes;
    private readonly DestinationHealth[] _health;
    private int _next = -1;

    /// <param name="health">Each destination's health, in the same order; shared with other routes naming the same server.</param>
    public UpstreamCluster(IReadOnlyList<Uri> destinations, UpstreamClient client, IReadOnlyList<DestinationHealth> health)
    {
        if (health.Count != destinations.Count)
        {
            throw new ArgumentException("one health entry per destination", nameof(health));
        }

        Destinations = destinations;
        Client = client;
        _prefixes = destinations.Select(d => d.GetLeftPart(UriPartial.Authority)).ToArray();
        _health = health.ToArray();
    }

    public IReadOnlyList<Uri> Destinations { get; }

    public UpstreamClient Client { get; }

    /// <summary>Picks the destination for the next request: the next one in rotation, in turn.</summary>
    public int Pick()
    {
        var count = _prefixes.Length;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        if (count == 1)
        {
            return 0;
        }

        var now = Environment.TickCount64;
        for (var i = 0; i < count; i++)
        {
            var candidate = (start + i) % count;
            if (_health[candidate].IsAvailable(now))
            {
                return candidate;
            }
        }

        // Every server is out of rotation: fail open and try one anyway. A health check can be
        // wrong (a moved path, a probe the upstream rate-limits, a network blip on the probe's
        // side), and a request that may succeed is better than a certain 502.
        return start;
    }

    public string Prefix(int index) => _prefixes[index];

    public DestinationHealth Health(int index) => _health[index];
}
