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
        Stream stream = client.GetStream();
        if (server.Scheme == "https")
        {
            var tls = new SslStream(stream);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni ?? "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cancel.Token);
            stream = tls;
        }

        // A raw string literal drops its last line break: end the header block if the test did not.
        var wire = request.Replace("\r\n", "\n").Replace("\n", "\r\n");
        if (!wire.Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            wire += wire.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "\r\n\r\n";
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(wire), cancel.Token);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancel.Token);
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
