using System.IO.Pipelines;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// The connection's input as Kestrel's HTTP layer reads it, unchanged, except that Kestrel's
/// completing it does not close it: <see cref="EdgeConnections"/> first reads and discards what the
/// client is still sending (lingering close), then completes the transport's input itself.
/// </summary>
public sealed class LingeringReader(PipeReader inner) : PipeReader
{
    /// <summary>The client closed its side (a read returned completed): nothing to linger for.</summary>
    public bool ClientFinished { get; private set; }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        if (result.IsCompleted)
        {
            ClientFinished = true;
        }

        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        if (result.IsCompleted)
        {
            ClientFinished = true;
        }

        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    // Deliberately not passed on: the connection lingers before its input is closed.
    public override void Complete(Exception? exception = null)
    {
    }
}
