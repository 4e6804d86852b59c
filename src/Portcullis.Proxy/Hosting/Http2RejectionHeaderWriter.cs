using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// The HTTP/2 counterpart of <see cref="RejectionHeaderWriter"/>: a connection's output frames,
/// unchanged, except the HEADERS frame of an answer Kestrel gives itself (a 431 for headers between
/// the limit and twice it), which gets the site's Strict-Transport-Security field. Frame boundaries
/// are followed on everything written (RFC 9113 §4.1), so that, once Kestrel has logged a rejection,
/// whole frames can be held and looked at. The field is appended to the header block as a literal
/// without indexing (RFC 7541 §6.2.2), which leaves both ends' dynamic tables as they were, so the
/// rest of the connection decodes as before. The frame is recognised by its :status and by ending
/// its stream: Kestrel's answer has no body, Portcullis's own answers do.
/// </summary>
public sealed class Http2RejectionHeaderWriter(PipeWriter inner, EdgeConnection connection) : PipeWriter
{
    private const byte HeadersType = 0x1, EndStream = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;
    private const int FrameHeaderLength = 9;

    private readonly byte[] _partialHeader = new byte[FrameHeaderLength];
    private int _partialHeaderLength;   // frame-header bytes already passed on, when a frame header was split
    private long _payloadLeft;          // payload bytes of the frame under way, already passed on or to come
    private byte[] _held = new byte[4096];
    private int _heldLength;
    private Memory<byte> _lent;
    private bool _holding;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _holding = connection.Http2RejectionPending || _heldLength > 0;
        _lent = inner.GetMemory(sizeHint);
        return _lent;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        var chunk = _lent.Span[..bytes];
        if (!_holding)
        {
            Follow(chunk);
            inner.Advance(bytes);
            return;
        }

        if (_heldLength + bytes > _held.Length)
        {
            Array.Resize(ref _held, Math.Max(_held.Length * 2, _heldLength + bytes));
        }

        chunk.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += bytes;
        _lent = default;
        Release(whole: false);
    }

    // Follows frame boundaries over bytes passed on unchanged.
    private void Follow(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, bytes.Length);
                _payloadLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }

            var take = Math.Min(FrameHeaderLength - _partialHeaderLength, bytes.Length);
            bytes[..take].CopyTo(_partialHeader.AsSpan(_partialHeaderLength));
            _partialHeaderLength += take;
            bytes = bytes[take..];
            if (_partialHeaderLength == FrameHeaderLength)
            {
                _payloadLeft = (_partialHeader[0] << 16) | (_partialHeader[1] << 8) | _partialHeader[2];
                _partialHeaderLength = 0;
            }
        }
    }

    // Passes on held bytes frame by frame; with whole, also what is left of an incomplete frame.
    private void Release(bool whole)
    {
        var held = _held.AsSpan(0, _heldLength);
        var position = 0;
        while (position < held.Length)
        {
            if (_payloadLeft > 0 || _partialHeaderLength > 0)
            {
                // A frame that was under way when holding began: it goes out as it is.
                var rest = held[position..];
                var length = _payloadLeft > 0 ? (int)Math.Min(_payloadLeft, rest.Length) : Math.Min(FrameHeaderLength - _partialHeaderLength, rest.Length);
                Follow(rest[..length]);
                inner.Write(rest[..length]);
                position += length;
                continue;
            }

            var frame = held[position..];
            if (frame.Length < FrameHeaderLength)
            {
                break;
            }

            var payloadLength = (frame[0] << 16) | (frame[1] << 8) | frame[2];
            if (frame.Length < FrameHeaderLength + payloadLength)
            {
                break;
            }

            frame = frame[..(FrameHeaderLength + payloadLength)];
            if (!TryAmend(frame))
            {
                inner.Write(frame);
            }

            position += frame.Length;
        }

        if (whole && position < held.Length)
        {
            Follow(held[position..]);
            inner.Write(held[position..]);
            position = held.Length;
        }

        held[position..].CopyTo(_held);
        _heldLength = held.Length - position;
    }

    private bool TryAmend(ReadOnlySpan<byte> frame)
    {
        var flags = frame[4];
        if (frame[3] != HeadersType || (flags & (EndStream | EndHeaders)) != (EndStream | EndHeaders) || (flags & (Padded | Priority)) != 0
            || StatusOf(frame[FrameHeaderLength..]) is not (>= 400 and var status) || !connection.TakeHttp2Rejection(status))
        {
            return false;
        }

        if (connection.Hsts is not { } hsts)
        {
            connection.LogRejection(status, "HTTP/2");
            return false; // No site by SNI, or hsts off: the answer goes out as it is.
        }

        var field = new List<byte> { 0x00 }; // literal without indexing, new name (RFC 7541 §6.2.2)
        AppendString(field, "strict-transport-security");
        AppendString(field, hsts);
        var payloadLength = frame.Length - FrameHeaderLength + field.Count;
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        frame[..FrameHeaderLength].CopyTo(header);
        header[0] = (byte)(payloadLength >> 16);
        header[1] = (byte)(payloadLength >> 8);
        header[2] = (byte)payloadLength;
        inner.Write(header);
        inner.Write(frame[FrameHeaderLength..]);
        inner.Write(field.ToArray());
        connection.LogRejection(status, "HTTP/2");
        return true;
    }

    // The :status at the start of a header block as Kestrel's encoder writes it (RFC 7541 Appendix A:
    // static entries 8 to 14 for the common codes, else a literal with the :status name, index 8).
    private static int StatusOf(ReadOnlySpan<byte> block)
    {
        var i = 0;
        while (i < block.Length && (block[i] & 0xe0) == 0x20)
        {
            // Dynamic table size update (RFC 7541 §6.3): a 5-bit prefix integer.
            var more = (block[i++] & 0x1f) == 0x1f;
            while (more && i < block.Length)
            {
                more = (block[i++] & 0x80) != 0;
            }
        }

        if (i >= block.Length)
        {
            return 0;
        }

        int[] indexed = [200, 204, 206, 304, 400, 404, 500];
        if ((block[i] & 0x80) != 0)
        {
            var index = block[i] & 0x7f;
            return index is >= 8 and <= 14 ? indexed[index - 8] : 0;
        }

        // Literal with indexed name 8, with incremental indexing (0x48), without (0x08) or never (0x18).
        if (block[i] is 0x08 or 0x18 or 0x48 && i + 5 <= block.Length && block[i + 1] == 3
            && int.TryParse(Encoding.ASCII.GetString(block.Slice(i + 2, 3)), out var status))
        {
            return status;
        }

        return 0;
    }

    private static void AppendString(List<byte> field, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        // HPACK integer, 7-bit prefix, no Huffman coding (RFC 7541 §5.1, §5.2).
        var value = bytes.Length;
        if (value < 127)
        {
            field.Add((byte)value);
        }
        else
        {
            field.Add(127);
            value -= 127;
            while (value >= 128)
            {
                field.Add((byte)(value % 128 + 128));
                value /= 128;
            }

            field.Add((byte)value);
        }

        field.AddRange(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_heldLength > 0)
        {
            Release(whole: true);
        }

        connection.MarkSent();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _heldLength;

    // Deliberately not passed on: the connection lingers before its output is closed.
    public override void Complete(Exception? exception = null)
    {
        if (_heldLength > 0)
        {
            Release(whole: true);
        }
    }
}
