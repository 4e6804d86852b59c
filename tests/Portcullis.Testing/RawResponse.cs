using System.Text;

namespace Portcullis.Testing;

/// <summary>
/// An HTTP/1.1 response as it came off the wire: the status line, every header line as sent (in
/// order, repeated lines kept), and the body, decoded from chunked transfer coding when the
/// response used it (RFC 9112 §7.1).
/// </summary>
public sealed record RawResponse(int Status, string StatusLine, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Every value of a header, one per line it arrived on; empty when absent.</summary>
    public string[] All(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    /// <summary>The first value of a header, or null when absent.</summary>
    public string? Header(string name) => All(name).FirstOrDefault();

    /// <summary>Parses what arrived, complete or not; fails when not even the header block did.</summary>
    public static RawResponse Parse(byte[] bytes)
    {
        if (!TryParse(bytes, out var response, requireComplete: false))
        {
            throw new InvalidDataException("no HTTP response arrived: " + Encoding.ASCII.GetString(bytes));
        }

        return response;
    }

    /// <param name="requireComplete">False: a response whose body is cut short is parsed too.</param>
    public static bool TryParse(byte[] bytes, out RawResponse response, bool requireComplete = true)
    {
        response = null!;
        var end = bytes.AsSpan().IndexOf(HeaderEnd);
        if (end < 0)
        {
            return false;
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')].Trim(), l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var body = bytes.AsSpan(end + HeaderEnd.Length);
        var status = int.Parse(lines[0].Split(' ', 3)[1]);
        var length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => long.Parse(h.Item2)).FirstOrDefault(-1);
        var chunked = headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Item2.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var complete = status is 101 or 204 or 304
            || (chunked ? body.EndsWith("0\r\n\r\n"u8) : length >= 0 && body.Length >= length);
        if (requireComplete && !complete)
        {
            return false;
        }

        var text = chunked ? Dechunk(body) : Encoding.UTF8.GetString(body);
        response = new RawResponse(status, lines[0], headers, text);
        return true;
    }

    /// <summary>The chunks' data, as far as it arrived whole (a cut-short body keeps what came).</summary>
    private static string Dechunk(ReadOnlySpan<byte> body)
    {
        var data = new MemoryStream();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            var start = lineEnd + 2;
            if (body.Length < start + size)
            {
                data.Write(body[start..]);
                break;
            }

            data.Write(body.Slice(start, size));
            body = body[Math.Min(body.Length, start + size + 2)..];
        }

        return Encoding.UTF8.GetString(data.ToArray());
    }
}
