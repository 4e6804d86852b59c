using System.Net.Sockets;
using System.Text;

namespace Portcullis.Emulator.Tests.Common;

/// <summary>
/// Writes a request byte for byte over a TcpClient: repeated header lines, odd Host values and
/// forwarded headers arrive exactly as a misbehaving proxy would send them, which HttpClient would tidy.
/// </summary>
internal static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri baseUri, string method, string path, IEnumerable<string> headerLines, string body = "")
    {
        using var client = new TcpClient();
        var ct = TestEmulator.TimeoutToken();
        await client.ConnectAsync(baseUri.Host, baseUri.Port, ct);
        await using var stream = client.GetStream();

        var request = new StringBuilder();
        request.Append($"{method} {path} HTTP/1.1\r\n");
        foreach (var line in headerLines)
        {
            request.Append(line).Append("\r\n");
        }

        request.Append("Connection: close\r\n");
        request.Append($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n");
        request.Append(body);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), ct);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        return RawResponse.Parse(text);
    }
}
