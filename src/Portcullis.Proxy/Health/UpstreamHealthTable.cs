using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portcullis.Proxy.Health;

/// <summary>
/// The <see cref="DestinationHealth"/> of every upstream server, by URL. One table lives as long
/// as Portcullis: each runtime model takes its servers' entries from it, so health is kept across
/// reloads for servers that stay, and the upstream clients report transport failures into it.
/// </summary>
public sealed class UpstreamHealthTable
{
    private readonly ConcurrentDictionary<string, DestinationHealth> _entries = new(StringComparer.Ordinal);
    private volatile ILogger _logger = NullLogger.Instance;

    /// <summary>Where transitions are logged; nowhere until a running server attaches its logger.</summary>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value;
    }

    /// <param name="url">scheme://host:port (<see cref="Uri.GetLeftPart"/> with <see cref="UriPartial.Authority"/>).</param>
    public DestinationHealth GetOrAdd(string url) => _entries.GetOrAdd(url, static (key, table) => new DestinationHealth(key, table), this);

    /// <summary>The entry of the server a request went to, or null when the running model no longer names it.</summary>
    public DestinationHealth? Find(Uri? requestUri)
    {
        if (requestUri is null)
        {
            return null;
        }

        var url = requestUri.GetLeftPart(UriPartial.Authority);
        if (requestUri.Scheme is "ws" or "wss")
        {
            url = (requestUri.Scheme == "ws" ? "http" : "https") + url[requestUri.Scheme.Length..];
        }

        return _entries.GetValueOrDefault(url);
    }

    /// <summary>Forgets servers no model names any more (after a reload has retired them).</summary>
    public void Retain(IReadOnlySet<string> urls)
    {
        foreach (var url in _entries.Keys)
        {
            if (!urls.Contains(url))
            {
                _entries.TryRemove(url, out _);
            }
        }
    }
}
