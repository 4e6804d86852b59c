using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Portcullis.Proxy.Hosting;

namespace Portcullis.Tests.Hosting;

/// <summary>What reaches the client of a connection whose HTTP/1.x output goes through <see cref="RejectionHeaderWriter"/>.</summary>
public sealed class RejectionHeaderWriterTests
{
    private const string KestrelRejection = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: Wed, 02 Dec 2026 01:00:00 GMT\r\n\r\n";

    private static (EdgeConnection Connection, Pipe Wire) Connect(string? hsts = "max-age=63072000")
    {
        var wire = new Pipe();
        var transport = new DuplexPipe(new Pipe().Reader, wire.Writer);
        return (new EdgeConnection(transport, "192.0.2.1", "sso.example.com", hsts, http2: false, accessLog: null), wire);
    }

    private static async Task<string> WriteAsync(EdgeConnection connection, Pipe wire, params string[] writes)
    {
        foreach (var write in writes)
        {
            connection.Output.Write(Encoding.Latin1.GetBytes(write)); // As Kestrel writes a block: no flush inside it.
        }

        await connection.Output.FlushAsync();
        wire.Writer.Complete();
        var text = new StringBuilder();
        while (true)
        {
            var result = await wire.Reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                text.Append(Encoding.Latin1.GetString(segment.Span));
            }

            wire.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return text.ToString();
            }
        }
    }

    [Fact]
    public async Task Write_KestrelRejectionAfterItsLogEvent_HstsAddedOnceBeforeTheBlankLine()
    {
        var (connection, wire) = Connect();
        connection.OnRejected(431, inBody: false);

        var sent = await WriteAsync(connection, wire, KestrelRejection);

        Assert.Equal(KestrelRejection.Replace("\r\n\r\n", "\r\nStrict-Transport-Security: max-age=63072000\r\n\r\n"), sent);
        Assert.False(connection.RejectionPending);
    }

    [Fact]
    public async Task Write_RejectionInSeveralWrites_AmendedWhenTheBlockIsWhole()
    {
        var (connection, wire) = Connect();
        connection.OnRejected(431, inBody: false);

        var sent = await WriteAsync(connection, wire, KestrelRejection[..20], KestrelRejection[20..^3], KestrelRejection[^3..]);

        Assert.Equal(1, CountOf(sent, "Strict-Transport-Security: max-age=63072000\r\n"));
        Assert.EndsWith("GMT\r\nStrict-Transport-Security: max-age=63072000\r\n\r\n", sent);
    }

    [Fact]
    public async Task Write_WithoutLogEvent_Unchanged()
    {
        var (connection, wire) = Connect();

        var sent = await WriteAsync(connection, wire, KestrelRejection);

        Assert.Equal(KestrelRejection, sent);
    }

    [Theory]
    [InlineData("HTTP/1.1 413 Payload Too Large\r\nCache-Control: no-store\r\nStrict-Transport-Security: max-age=1\r\nContent-Length: 5\r\n\r\nbody!")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n")]
    public async Task Write_PortcullisOwnAnswerAfterLogEvent_Unchanged(string answer)
    {
        var (connection, wire) = Connect();
        connection.OnRejected(400, inBody: false);

        var sent = await WriteAsync(connection, wire, answer);

        Assert.Equal(answer, sent);
        Assert.False(connection.RejectionPending);
    }

    [Fact]
    public async Task Write_BodyUnderWayWhenLogEventCame_Unchanged()
    {
        var (connection, wire) = Connect();
        connection.OnRejected(400, inBody: false);

        var sent = await WriteAsync(connection, wire, "chunk of a body\r\n\r\nmore");

        Assert.Equal("chunk of a body\r\n\r\nmore", sent);
    }

    [Fact]
    public async Task Write_SiteWithoutHsts_RejectionUnchanged()
    {
        var (connection, wire) = Connect(hsts: null);
        connection.OnRejected(431, inBody: false);

        var sent = await WriteAsync(connection, wire, KestrelRejection);

        Assert.Equal(KestrelRejection, sent);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
