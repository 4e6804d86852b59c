using System.Collections.Concurrent;

namespace Portcullis.Proxy.Forwarding;

/// <summary>The open WebSocket relays, so shutdown can close each with 1001 (Going Away).</summary>
public sealed class WebSocketTracker
{
    private readonly ConcurrentDictionary<WebSocketSession, byte> _sessions = new();
    private readonly CancellationTokenSource _shutdown = new();

    public int Count => _sessions.Count;

    /// <summary>Cancelled when the drain period is over: every relay then closes with 1001.</summary>
    public CancellationToken ShuttingDown => _shutdown.Token;

    public void Add(WebSocketSession session) => _sessions.TryAdd(session, 0);

    public void Remove(WebSocketSession session) => _sessions.TryRemove(session, out _);

    public void CloseAll() => _shutdown.Cancel();

    /// <summary>Waits until every relay has finished, or the timeout passes.</summary>
    public async Task WaitEmptyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_sessions.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.WhenAny(_sessions.Keys.Select(s => s.Completion).Append(Task.Delay(deadline - DateTime.UtcNow)));
        }
    }
}
