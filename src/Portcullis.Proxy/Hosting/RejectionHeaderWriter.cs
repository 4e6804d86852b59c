using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// The connection's output as Kestrel's HTTP/1.x layer writes it, unchanged, except for the one
/// response Kestrel writes itself after rejecting a request (400, 408, 414, 431...: it never reaches
/// Portcullis's handler). That response's header block is held until complete, given the site's
/// Strict-Transport-Security header, and reported to the access log. Kestrel's rejection is known
/// from its own log event (<see cref="KestrelRejectionLog"/>), raised before it writes the
/// response; a header block that already carries HSTS or Cache-Control is Portcullis's own and is
/// passed unchanged. Completing it does not close the transport (lingering close, see
/// <see cref="EdgeConnections"/>).
/// </summary>
public sealed class RejectionHeaderWriter(PipeWriter inner, EdgeConnection connection) : PipeWriter
{
    private static readonly byte[] EndOfHeaders = "\r\n\r\n"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _held = new();
    private Memory<byte> _lent;
    private bool _holding;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _holding = connection.RejectionPending;
        var memory = inner.GetMemory(sizeHint);
        if (_holding)
        {
            _lent = memory; // Copied out on Advance instead of committed.
        }

        return memory;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (!_holding || bytes == 0)
        {
            inner.Advance(bytes);
            return;
        }

        var chunk = _lent.Span[..bytes];
        _lent = default;
        _holding = false;
        if (_held.WrittenCount == 0 && !chunk.StartsWith("HTTP/"u8))
        {
            // Not the start of an answer (a body under way when Kestrel logged a body error):
            // nothing of Kestrel's to amend.
            connection.RejectionPending = false;
            inner.Advance(bytes); // Already in place in the inner writer's memory.
            return;
        }

        _held.Write(chunk);
        var end = _held.WrittenSpan.IndexOf(EndOfHeaders);
        if (end >= 0)
        {
            Release(end + 2);
        }
    }

    // Writes what is held, with HSTS inserted before the blank line when it is Kestrel's rejection.
    private void Release(int insertAt)
    {
        var held = _held.WrittenSpan;
        var block = insertAt < 0 ? "" : Encoding.Latin1.GetString(held[..insertAt]);
        var own = block.Contains("\r\nStrict-Transport-Security:", StringComparison.OrdinalIgnoreCase)
            || block.Contains("\r\nCache-Control:", StringComparison.OrdinalIgnoreCase);
        connection.RejectionPending = false;
        if (insertAt < 0 || own)
        {
            inner.Write(held);
        }
        else
        {
            inner.Write(held[..insertAt]);
            if (connection.Hsts is { } hsts)
            {
                inner.Write(Encoding.Latin1.GetBytes($"Strict-Transport-Security: {hsts}\r\n"));
            }

            inner.Write(held[insertAt..]);
            if (connection.LogPending)
            {
                connection.LogRejection(StatusOf(block), ProtocolOf(block));
            }
        }

        _held.Clear();
    }

    private static int StatusOf(string block) =>
        block.Length >= 12 && int.TryParse(block.AsSpan(9, 3), out var status) ? status : 400;

    private static string ProtocolOf(string block) => block.StartsWith("HTTP/1.0", StringComparison.Ordinal) ? "HTTP/1.0" : "HTTP/1.1";

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_held.WrittenCount > 0)
        {
            Release(-1); // Never a whole header block: sent as it is.
        }

        connection.MarkSent();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    // Deliberately not passed on: the connection lingers before its output is closed.
    public override void Complete(Exception? exception = null)
    {
        if (_held.WrittenCount > 0)
        {
            Release(-1);
        }
    }
}
