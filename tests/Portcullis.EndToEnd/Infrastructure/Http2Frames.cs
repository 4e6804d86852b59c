using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>
/// A minimal HTTP/2 client that writes frames by hand (RFC 9113 §4, §6), for requests HttpClient
/// refuses to send: upper-case or connection-specific fields, content-length lying about DATA,
/// Host differing from :authority, rapid resets. Request fields go out as HPACK literals without
/// indexing and without Huffman coding (RFC 7541 §6.2.2); responses are decoded with the static
/// table only, since the client announces a dynamic table of size 0.
/// </summary>
public sealed class Http2Frames : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    private readonly TcpClient _tcp;
    private readonly SslStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly List<Frame> _pending = [];
    private readonly Task _reading;

    private Http2Frames(TcpClient tcp, SslStream stream)
    {
        _tcp = tcp;
        _stream = stream;
        _reading = ReadLoopAsync();
    }

    public sealed record Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
    {
        public uint ErrorCode => Type switch
        {
            RstStream => BinaryPrimitives.ReadUInt32BigEndian(Payload),
            GoAway => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
            _ => throw new InvalidOperationException($"frame type {Type} has no error code"),
        };
    }

    /// <summary>A response as decoded from HEADERS (and any DATA) of one stream.</summary>
    public sealed record Response(int Status, IReadOnlyList<(string Name, string Value)> Fields, string Body)
    {
        public string[] All(string name) => Fields.Where(f => f.Name == name).Select(f => f.Value).ToArray();
    }

    /// <summary>Error codes of RFC 9113 §7.</summary>
    public const uint ProtocolError = 0x1, RefusedStream = 0x7, Cancel = 0x8, EnhanceYourCalm = 0xb;

    /// <summary>Connects over TLS with ALPN h2, sends the preface and SETTINGS (header table 0).</summary>
    public static async Task<Http2Frames> ConnectAsync(Uri server, string sni = "localhost")
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            throw new InvalidOperationException("the server did not negotiate h2");
        }

        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        var connection = new Http2Frames(tcp, tls);
        // SETTINGS_HEADER_TABLE_SIZE = 0: the server may not index, so the static table is enough to decode.
        var settings = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x1);
        await connection.WriteFrameAsync(Settings, 0, 0, settings);
        return connection;
    }

    public Task SendHeadersAsync(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00); // literal without indexing, new name
            WriteString(block, name);
            WriteString(block, value);
        }

        return WriteFrameAsync(Headers, (byte)(EndHeaders | (endStream ? EndStream : 0)), streamId, block.ToArray());
    }

    /// <summary>The pseudo-headers of a GET (or another method) to https://{authority}{path}.</summary>
    public static List<(string, string)> Request(string authority, string path = "/", string method = "GET") =>
        [(":method", method), (":scheme", "https"), (":authority", authority), (":path", path)];

    public Task SendDataAsync(int streamId, byte[] data, bool endStream) =>
        WriteFrameAsync(Data, endStream ? EndStream : (byte)0, streamId, data);

    public Task SendRstStreamAsync(int streamId, uint errorCode = Cancel)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, errorCode);
        return WriteFrameAsync(RstStream, 0, streamId, payload);
    }

    /// <summary>Writes several frames in one TLS write, as a burst arrives from an attacker.</summary>
    public static byte[] Encode(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & 0x7fffffff);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] EncodeHeaders(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00);
            WriteString(block, name);
            WriteString(block, value);
        }

        return Encode(Headers, (byte)(EndHeaders | (endStream ? EndStream : 0)), streamId, block.ToArray());
    }

    public async Task WriteRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task WriteFrameAsync(byte type, byte flags, int streamId, byte[] payload) => WriteRawAsync(Encode(type, flags, streamId, payload));

    /// <summary>The next frame that matches; others are kept, in order, for later calls.</summary>
    public async Task<Frame> NextAsync(Func<Frame, bool> match, TimeSpan? timeout = null)
    {
        var kept = _pending.FindIndex(f => match(f));
        if (kept >= 0)
        {
            var frame = _pending[kept];
            _pending.RemoveAt(kept);
            return frame;
        }

        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(cancel.Token);
            if (match(frame))
            {
                return frame;
            }

            _pending.Add(frame);
        }
    }

    /// <summary>
    /// How a stream ended: its response, or the RST_STREAM or GOAWAY frame that refused it
    /// (a GOAWAY that covers the stream ends it too).
    /// </summary>
    public async Task<(Response? Response, Frame? Error)> ResultAsync(int streamId, TimeSpan? timeout = null)
    {
        Response? response = null;
        var body = new StringBuilder();
        var fields = new List<(string, string)>();
        while (true)
        {
            var frame = await NextAsync(f => f.StreamId == streamId || f.Type == GoAway, timeout);
            switch (frame.Type)
            {
                case GoAway when BinaryPrimitives.ReadInt32BigEndian(frame.Payload) < streamId || frame.ErrorCode != 0:
                case RstStream:
                    return (response, frame);
                case Headers:
                    fields.AddRange(DecodeBlock(frame.Payload, frame.Flags));
                    var status = fields.FirstOrDefault(f => f.Item1 == ":status").Item2;
                    response = new Response(status is null ? 0 : int.Parse(status), fields, "");
                    break;
                case Data:
                    body.Append(Encoding.UTF8.GetString(frame.Payload));
                    response = response! with { Body = body.ToString() };
                    if (frame.Payload.Length > 0)
                    {
                        await WindowUpdatesAsync(streamId, frame.Payload.Length);
                    }

                    break;
            }

            if (frame.StreamId == streamId && (frame.Flags & EndStream) != 0 && frame.Type is Headers or Data)
            {
                return (response, null);
            }
        }
    }

    private async Task WindowUpdatesAsync(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        await WriteFrameAsync(WindowUpdate, 0, 0, payload);
        await WriteFrameAsync(WindowUpdate, 0, streamId, payload);
    }

    /// <summary>Completes when the server closes the connection.</summary>
    public Task Closed => _reading;

    private async Task ReadLoopAsync()
    {
        var header = new byte[9];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload);
                var frame = new Frame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff, payload);
                if (frame.Type == Settings && (frame.Flags & Ack) == 0)
                {
                    await WriteFrameAsync(Settings, Ack, 0, []);
                }
                else if (frame.Type == Ping && (frame.Flags & Ack) == 0)
                {
                    await WriteFrameAsync(Ping, Ack, 0, payload);
                }

                _frames.Writer.TryWrite(frame);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private static void WriteString(Stream block, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        WriteInteger(block, 0x00, 7, bytes.Length);
        block.Write(bytes);
    }

    private static void WriteInteger(Stream block, byte prefix, int bits, int value)
    {
        var max = (1 << bits) - 1;
        if (value < max)
        {
            block.WriteByte((byte)(prefix | value));
            return;
        }

        block.WriteByte((byte)(prefix | max));
        value -= max;
        while (value >= 128)
        {
            block.WriteByte((byte)(value % 128 + 128));
            value /= 128;
        }

        block.WriteByte((byte)value);
    }

    private static List<(string, string)> DecodeBlock(byte[] payload, byte flags)
    {
        var span = payload.AsSpan();
        if ((flags & 0x8) != 0)
        {
            span = span[1..^payload[0]]; // PADDED
        }

        if ((flags & 0x20) != 0)
        {
            span = span[5..]; // PRIORITY
        }

        var fields = new List<(string, string)>();
        var i = 0;
        while (i < span.Length)
        {
            var b = span[i];
            if ((b & 0x80) != 0)
            {
                var index = ReadInteger(span, ref i, 7);
                fields.Add(StaticTable[index - 1]);
            }
            else if ((b & 0xe0) == 0x20)
            {
                ReadInteger(span, ref i, 5); // dynamic table size update
            }
            else
            {
                var index = ReadInteger(span, ref i, (b & 0xc0) == 0x40 ? 6 : 4);
                var name = index == 0 ? ReadString(span, ref i) : StaticTable[index - 1].Name;
                fields.Add((name, ReadString(span, ref i)));
            }
        }

        return fields;
    }

    private static int ReadInteger(ReadOnlySpan<byte> span, ref int i, int bits)
    {
        var max = (1 << bits) - 1;
        var value = span[i++] & max;
        if (value < max)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            var b = span[i++];
            value += (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int i)
    {
        if ((span[i] & 0x80) != 0)
        {
            throw new NotSupportedException("Huffman-coded HPACK string: this test client decodes literals only");
        }

        var length = ReadInteger(span, ref i, 7);
        var text = Encoding.Latin1.GetString(span.Slice(i, length));
        i += length;
        return text;
    }

    // RFC 7541 Appendix A.
    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _stream.DisposeAsync();
        try
        {
            await _reading;
        }
        catch
        {
        }
    }
}
