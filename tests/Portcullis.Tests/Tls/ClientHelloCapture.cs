using System.Net.Security;
using System.Security.Authentication;

namespace Portcullis.Tests.Tls;

/// <summary>
/// The ClientHello the platform's TLS stack (OpenSSL, through SslStream) really sends: a stream
/// that keeps what the client writes and answers its first read with the end of the stream, so the
/// handshake stops right after the ClientHello. In memory, no socket.
/// </summary>
internal sealed class ClientHelloCapture : Stream
{
    private readonly MemoryStream written = new();

    /// <summary>The bytes an SslStream client with these options sends before it waits for the server.</summary>
    public static async Task<byte[]> ClientHello(SslClientAuthenticationOptions options)
    {
        var capture = new ClientHelloCapture();
        await using var tls = new SslStream(capture, leaveInnerStreamOpen: true);
        // The server "closes" the connection instead of answering: the handshake fails by design
        // ("Received an unexpected EOF or 0 bytes from the transport stream").
        await Assert.ThrowsAnyAsync<IOException>(() => tls.AuthenticateAsClientAsync(options));
        var hello = capture.written.ToArray();
        Assert.NotEmpty(hello);
        return hello;
    }

    public static Task<byte[]> ClientHello(string host, SslProtocols protocols, params string[] alpn) =>
        ClientHello(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = alpn.Length == 0 ? null : alpn.Select(name => new SslApplicationProtocol(name)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => false,
        });

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => written.Write(buffer, offset, count);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        written.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => 0;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(0);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
