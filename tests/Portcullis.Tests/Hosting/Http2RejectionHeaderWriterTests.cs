using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Portcullis.Proxy.Hosting;

namespace Portcullis.Tests.Hosting;

/// <summary>What reaches the client of an HTTP/2 connection whose output goes through <see cref="Http2RejectionHeaderWriter"/>.</summary>
public sealed class Http2RejectionHeaderWriterTests
{
    private const string Hsts = "max-age=63072000";

    // :status 431 as a literal with the static :status name (RFC 7541 §6.2.2, index 8), then content-length: 0 (index 28).
    private static readonly byte[] RejectionBlock = [0x08, 0x03, (byte)'4', (byte)'3', (byte)'1', 0x0f, 0x0d, 0x01, (byte)'0'];

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        frame[5] = (byte)(stream >> 24);
        frame[6] = (byte)(stream >> 16);
        frame[7] = (byte)(stream >> 8);
        frame[8] = (byte)stream;
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static byte[] Headers(int stream, byte[] block, bool endStream) => Frame(0x1, (byte)(0x4 | (endStream ? 0x1 : 0)), stream, block);

    private static byte[] Data(int stream, int length) => Frame(0x0, 0, stream, Enumerable.Repeat((byte)'d', length).ToArray());

    private static async Task<byte[]> SendAsync(EdgeConnection connection, Pipe wire, params byte[][] writes)
    {
        foreach (var write in writes)
        {
            connection.Output.Write(write); // As Kestrel writes frames: no flush inside one.
        }

        await connection.Output.FlushAsync();
        wire.Writer.Complete();
        var bytes = new MemoryStream();
        while (true)
        {
            var result = await wire.Reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                bytes.Write(segment.Span);
            }

            wire.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return bytes.ToArray();
            }
        }
    }

    private static (EdgeConnection, Pipe) Connect()
    {
        var wire = new Pipe();
        return (new EdgeConnection(new DuplexPipe(new Pipe().Reader, wire.Writer), "192.0.2.1", "sso.example.com", Hsts, http2: true, accessLog: null), wire);
    }

    private static byte[] HstsField()
    {
        var name = Encoding.ASCII.GetBytes("strict-transport-security");
        var value = Encoding.ASCII.GetBytes(Hsts);
        return [0x00, (byte)name.Length, .. name, (byte)value.Length, .. value];
    }

    [Fact]
    public async Task Write_KestrelRejectionAfterItsLogEvent_FieldAppendedToTheHeadersFrame()
    {
        var (connection, wire) = Connect();
        connection.OnRejected(431, inBody: false);

        var sent = await SendAsync(connection, wire, Headers(3, RejectionBlock, endStream: true));

        Assert.Equal(Headers(3, [.. RejectionBlock, .. HstsField()], endStream: true), sent);
        Assert.False(connection.Http2RejectionPending);
    }

    [Fact]
    public async Task Write_FramesSplitAcrossWrites_OnlyTheRejectionChanges()
    {
        var (connection, wire) = Connect();
        var data = Data(1, 100);
        var rejection = Headers(3, RejectionBlock, endStream: true);
        var after = Data(5, 10);
        connection.OnRejected(431, inBody: false);

        // A DATA frame cut inside its header and its payload, then the rejection cut in two.
        var sent = await SendAsync(connection, wire, data[..4], data[4..50], [.. data[50..], .. rejection[..6]], [.. rejection[6..], .. after]);

        Assert.Equal([.. data, .. Headers(3, [.. RejectionBlock, .. HstsField()], endStream: true), .. after], sent);
    }

    [Fact]
    public async Task Write_FrameUnderWayWhenLogEventCame_PassedOnWhole()
    {
        var (connection, wire) = Connect();
        var data = Data(1, 100);
        var rejection = Headers(3, RejectionBlock, endStream: true);

        await connection.Output.WriteAsync(data[..30]);
        connection.OnRejected(431, inBody: false);
        var sent = await SendAsync(connection, wire, data[30..], rejection);

        Assert.Equal([.. data, .. Headers(3, [.. RejectionBlock, .. HstsField()], endStream: true)], sent);
    }

    [Theory]
    [InlineData(false, 431)] // Portcullis's own 431: a body follows, END_STREAM is not set.
    [InlineData(true, 400)]  // another status than the one Kestrel logged
    public async Task Write_OtherAnswerAfterLogEvent_Unchanged(bool endStream, int logged)
    {
        var (connection, wire) = Connect();
        var frame = Headers(1, RejectionBlock, endStream);
        connection.OnRejected(logged, inBody: false);

        var sent = await SendAsync(connection, wire, frame);

        Assert.Equal(frame, sent);
    }

    [Fact]
    public async Task Write_BodyFaultLogged_AnswerIsTheHandlersAndUnchanged()
    {
        var (connection, wire) = Connect();
        var frame = Headers(1, RejectionBlock, endStream: true);
        connection.OnRejected(431, inBody: true);

        var sent = await SendAsync(connection, wire, frame);

        Assert.Equal(frame, sent);
        Assert.False(connection.Http2RejectionPending);
    }

    [Fact]
    public async Task Write_WithoutLogEvent_Unchanged()
    {
        var (connection, wire) = Connect();
        var frames = Headers(1, RejectionBlock, endStream: true);

        var sent = await SendAsync(connection, wire, frames);

        Assert.Equal(frames, sent);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
