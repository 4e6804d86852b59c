using System.Text;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>A response as bytes on the wire: status line, every header line as sent, the body.</summary>
public sealed record RawResponse(int Status, string StatusLine, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    public string[] All(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    public static RawResponse Parse(byte[] bytes)
    {
        if (!TryParse(bytes, out var response, requireComplete: false))
        {
            throw new Xunit.Sdk.XunitException("no HTTP response arrived: " + Encoding.ASCII.GetString(bytes));
        }

        return response;
    }

    public static bool TryParse(byte[] bytes, out RawResponse response, bool requireComplete = true)
    {
        response = null!;
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')].Trim(), l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var body = text[(end + 4)..];
        var length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Item2)).FirstOrDefault(-1);
        var status = int.Parse(statusParts[1]);
        var chunked = headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Item2.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var complete = status is 101 or 204 or 304
            || (chunked ? body.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : length >= 0 && Encoding.UTF8.GetByteCount(body) >= length);
        if (requireComplete && !complete)
        {
            return false;
        }

        response = new RawResponse(status, lines[0], headers, body);
        return true;
    }
}
