namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// The signal that closes every WebSocket relay with 1001 (Going Away) once the shutdown drain
/// period is over. Kestrel counts each relay as an in-flight request, so it waits for them.
/// </summary>
public sealed class WebSocketShutdown
{
    private readonly CancellationTokenSource _closing = new();

    /// <summary>Cancelled when the drain period is over.</summary>
    public CancellationToken Closing => _closing.Token;

    public void CloseAll() => _closing.Cancel();
}
