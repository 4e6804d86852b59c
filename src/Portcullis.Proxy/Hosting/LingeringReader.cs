using System.IO.Pipelines;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// The connection's input as Kestrel's HTTP layer reads it, unchanged, except that Kestrel's
/// completing it does not close it: <see cref="EdgeConnections"/> first reads and discards what the
/// client is still sending (lingering close), then completes the transport's input itself.
/// </summary>
public sealed class LingeringReader(PipeReader inner) : PipeReader
{
    // Reads pass straight through, no async wrapper of our own: one per read showed in the profile
    // (a state machine, boxed whenever the read has to wait). Whether the client has closed its
    // side is asked of the pipe itself when lingering starts (EdgeConnection.LingerAndCloseAsync).
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => inner.ReadAsync(cancellationToken);

    public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    // Deliberately not passed on: the connection lingers before its input is closed.
    public override void Complete(Exception? exception = null)
    {
    }
}
