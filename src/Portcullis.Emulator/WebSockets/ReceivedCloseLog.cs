namespace Portcullis.Emulator.WebSockets;

/// <summary>
/// Close codes the emulator received from WebSocket clients, in arrival order, so a test can
/// see that a proxy carried a client's code through (outposts act on 1012, authentik issue #11090).
/// </summary>
internal sealed class ReceivedCloseLog
{
    private readonly List<int> _codes = [];
    private readonly Lock _lock = new();

    public void Add(int code)
    {
        lock (_lock)
        {
            _codes.Add(code);
        }
    }

    public IReadOnlyList<int> Snapshot()
    {
        lock (_lock)
        {
            return _codes.ToArray();
        }
    }
}
