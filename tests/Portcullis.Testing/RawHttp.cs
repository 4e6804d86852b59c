using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Portcullis.Testing;

/// <summary>
/// Sends request bytes exactly as written over a TcpClient (and SslStream for https), for what
/// HttpClient would tidy up: repeated and oddly spelled headers, odd Host values, forwarded
/// headers as a misbehaving proxy sends them, HTTP/1.0, bad framing. Reads the response until
/// the connection closes or the first complete response (by Content-Length or chunked) has arrived.
/// </summary>
public static class RawHttp
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sends a request written as text: bare line feeds become CRLF, and a header block the text
    /// did not end (a raw string literal drops its last line break) is ended.
    /// </summary>
    /// <param name="sni">The TLS name for https; default "localhost".</param>
    public static Task<RawResponse> SendAsync(Uri server, string request, string? sni = null, TimeSpan? timeout = null)
    {
        var wire = request.Replace("\r\n", "\n").Replace("\n", "\r\n");
        if (!wire.Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            wire += wire.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "\r\n\r\n";
        }

        return SendBytesAsync(server, Encoding.Latin1.GetBytes(wire), sni, timeout);
    }

    /// <summary>
    /// Sends "{method} {path} HTTP/1.1", the header lines exactly as given, "Connection: close"
    /// and a Content-Length for the body (UTF-8), then the body.
    /// </summary>
    public static Task<RawResponse> SendAsync(Uri server, string method, string path, IEnumerable<string> headerLines, string body = "")
    {
        var request = new StringBuilder();
        request.Append($"{method} {path} HTTP/1.1\r\n");
        foreach (var line in headerLines)
        {
            request.Append(line).Append("\r\n");
        }

        request.Append("Connection: close\r\n");
        request.Append($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n");
        request.Append(body);
        return SendBytesAsync(server, Encoding.UTF8.GetBytes(request.ToString()), null, null);
    }

    /// <summary>
    /// Sends bytes exactly as given (Latin-1; no line-ending repair, for bare LF and framing attacks)
    /// and reads everything until the server closes the connection: several pipelined responses
    /// arrive as one text.
    /// </summary>
    public static async Task<string> ExchangeAsync(Uri server, string bytes, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        await using var stream = await OpenAsync(client, server, null, cancel.Token);
        await stream.WriteAsync(Encoding.Latin1.GetBytes(bytes), cancel.Token);
        var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cancel.Token);
        }
        catch (IOException)
        {
        }

        return Encoding.Latin1.GetString(buffer.ToArray());
    }

    /// <summary>The stream to write a request on: the TCP stream, or TLS over it for https (HTTP/1.1 by ALPN, any certificate accepted).</summary>
    public static async Task<Stream> OpenAsync(TcpClient client, Uri server, string? sni, CancellationToken cancellationToken)
    {
        Stream stream = client.GetStream();
        if (server.Scheme == "https")
        {
            var tls = new SslStream(stream);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni ?? "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cancellationToken);
            stream = tls;
        }

        return stream;
    }

    /// <summary>Reads the first complete response, or what arrived before the connection closed.</summary>
    public static async Task<RawResponse> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
                if (RawResponse.TryParse(buffer.ToArray(), out var complete))
                {
                    return complete;
                }
            }
        }
        catch (IOException)
        {
        }

        return RawResponse.Parse(buffer.ToArray());
    }

    private static async Task<RawResponse> SendBytesAsync(Uri server, byte[] request, string? sni, TimeSpan? timeout)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        await using var stream = await OpenAsync(client, server, sni, cancel.Token);
        await stream.WriteAsync(request, cancel.Token);
        return await ReadResponseAsync(stream, cancel.Token);
    }
}
