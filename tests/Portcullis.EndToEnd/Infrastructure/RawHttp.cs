using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>
/// Sends request bytes exactly as written, for what HttpClient would tidy up: repeated and
/// oddly spelled headers, HTTP/1.0, bad framing. Reads the response until the connection closes
/// or the first complete response (by Content-Length) has arrived.
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri server, string request, string? sni = null, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = await OpenAsync(client, server, sni, cancel.Token);

        // A raw string literal drops its last line break: end the header block if the test did not.
        var wire = request.Replace("\r\n", "\n").Replace("\n", "\r\n");
        if (!wire.Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            wire += wire.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "\r\n\r\n";
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(wire), cancel.Token);
        return await ReadResponseAsync(stream, cancel.Token);
    }

    /// <summary>
    /// Sends bytes exactly as given (Latin-1; no line-ending repair, for bare LF and framing attacks)
    /// and reads everything until the server closes the connection: several pipelined responses
    /// arrive as one text.
    /// </summary>
    public static async Task<string> ExchangeAsync(Uri server, string bytes, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = await OpenAsync(client, server, null, cancel.Token);
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

    /// <summary>The stream to write a request on: the TCP stream, or TLS over it for https (HTTP/1.1 by ALPN).</summary>
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
}
