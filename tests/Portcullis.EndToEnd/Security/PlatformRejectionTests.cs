using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Requests Kestrel rejects before Portcullis's handler sees them (bad syntax, a long target, headers
/// past the limit, a header timeout, HTTP/2 protocol errors): the answer comes at once, carries the
/// site's HSTS header exactly once over HTTPS, and leaves an access-log line, like every other answer.
/// </summary>
public sealed class PlatformRejectionTests
{
    private const string Hsts = "max-age=63072000";

    public static TheoryData<string, string, int> Http11Rejections => new()
    {
        { "malformed header line", "GET /bad HTTP/1.1\r\nHost: {host}\r\nBad Header: x\r\n\r\n", 400 },
        { "request line past limits.max_request_line", "GET /" + new string('a', 20 * 1024) + " HTTP/1.1\r\nHost: {host}\r\n\r\n", 414 },
        { "headers past limits.max_request_headers", "GET /big HTTP/1.1\r\nHost: {host}\r\nCookie: a=" + new string('a', 70 * 1024) + "\r\n\r\n", 431 },
        { "headers far past the limit", "GET /huge HTTP/1.1\r\nHost: {host}\r\nCookie: a=" + new string('a', 300 * 1024) + "\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(Http11Rejections))]
    public async Task Http11_RejectedByKestrel_HstsOnceAndAccessLogLine(string attack, string request, int status)
    {
        await using var fixture = await HostileProxy.StartAsync();

        var response = await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl, request.Replace("{host}", fixture.Host));
        var parsed = RawResponse.Parse(Encoding.Latin1.GetBytes(response));
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains($"\" {status} 0 "));

        Assert.True(parsed.Status == status, $"{attack}: {parsed.StatusLine}");
        Assert.Equal([Hsts], parsed.All("Strict-Transport-Security"));
        Assert.StartsWith("127.0.0.1 - - [", line);
        Assert.Contains("\"- - HTTP/1.1\"", line);
        Assert.Contains("\"localhost\"", line);
        Assert.Empty(fixture.Arrivals);
    }

    [Fact]
    public async Task Http_RejectedByKestrel_NoHstsButAccessLogLine()
    {
        await using var fixture = await HostileProxy.StartAsync();

        var response = await RawHttp.ExchangeAsync(fixture.Proxy.HttpUrl, $"GET / HTTP/1.1\r\nHost: {fixture.Host}\r\nBad Header: x\r\n\r\n");
        var parsed = RawResponse.Parse(Encoding.Latin1.GetBytes(response));
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\" 400 0 "));

        Assert.Equal(400, parsed.Status);
        Assert.Empty(parsed.All("Strict-Transport-Security")); // RFC 6797 §7.2: never over plain HTTP.
        Assert.Contains("\"- - HTTP/1.1\"", line);
    }

    [Fact]
    public async Task Http11_RejectedByKestrel_JsonAccessLogLine()
    {
        await using var fixture = await HostileProxy.StartAsync("log: { format: json }\n");

        await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl, $"GET / HTTP/1.1\r\nHost: {fixture.Host}\r\nBad Header: x\r\n\r\n");
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\"status\":400"));
        using var json = System.Text.Json.JsonDocument.Parse(line);

        Assert.Equal("127.0.0.1", json.RootElement.GetProperty("client").GetString());
        Assert.Equal("localhost", json.RootElement.GetProperty("host").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("method").ValueKind);
        Assert.Equal("HTTP/1.1", json.RootElement.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Http11_BodyTooSlowAnsweredByKestrel_HstsAndOneAccessLogLine()
    {
        // The request reached Portcullis, so its line is the handler's; Kestrel cuts the body after
        // the 5 s grace period. The 408 carries HSTS once, and no rejection line doubles the request's.
        await using var fixture = await HostileProxy.StartAsync("limits: { min_request_body_rate: 1KiB }\n");

        var response = await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl,
            $"POST /slow HTTP/1.1\r\nHost: {fixture.Host}\r\nContent-Length: 1000\r\n\r\nonly-this", TimeSpan.FromSeconds(20));
        await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\"POST /slow HTTP/1.1\""));
        // A line that comes after this one proves an earlier one would have been written already.
        await RawHttp.SendAsync(fixture.Proxy.HttpsUrl, $"GET /marker HTTP/1.1\r\nHost: {fixture.Host}\r\n\r\n");
        await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("/marker"));

        Assert.StartsWith("HTTP/1.1 408 ", response);
        Assert.Equal(1, CountOf(response, "Strict-Transport-Security: " + Hsts + "\r\n"));
        Assert.DoesNotContain(fixture.Proxy.AccessLog.Lines, l => l.Contains("\"- - HTTP/1.1\""));
    }

    [Fact]
    public async Task Http2_StreamedBodyPastLimit_413FromPortcullis_OneAccessLogLine()
    {
        // Kestrel logs the body's fault as a bad request too; the request is Portcullis's to answer and log.
        await using var fixture = await HostileProxy.StartAsync("limits: { max_request_body: 1KiB }\n");
        using var client = fixture.Proxy.CreateClient(System.Net.HttpVersion.Version20);
        var content = new StreamContent(new MemoryStream(new byte[4096]));

        using var response = await client.PostAsync(fixture.Proxy.Https("localhost", "/streamed"), content);
        using var marker = await client.GetAsync(fixture.Proxy.Https("localhost", "/marker"));
        await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("/marker"));

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal([Hsts], response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Single(fixture.Proxy.AccessLog.Lines, l => l.Contains("/streamed"));
        Assert.DoesNotContain(fixture.Proxy.AccessLog.Lines, l => l.Contains("\"- - HTTP/2\""));
    }

    [Theory]
    [InlineData("https")]
    [InlineData("http")]
    public async Task Http11_HeadersPastLimitThenClientWaits_431AtOnce(string scheme)
    {
        // curl 7.88 over TLS sends at most 128 KiB of a request's headers and then waits for the
        // answer: with the default 64 KiB limit that used to wait for timeouts.client_header (30 s).
        await using var fixture = await HostileProxy.StartAsync();
        var server = scheme == "https" ? fixture.Proxy.HttpsUrl : fixture.Proxy.HttpUrl;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = await RawHttp.OpenAsync(tcp, server, null, cancel.Token);
        var watch = Stopwatch.StartNew();

        var incomplete = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {fixture.Host}\r\nCookie: a=" + new string('a', 128 * 1024 - 64));
        await stream.WriteAsync(incomplete, cancel.Token);
        var response = await RawHttp.ReadResponseAsync(stream, cancel.Token);

        Assert.Equal(431, response.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(scheme == "https" ? [Hsts] : [], response.All("Strict-Transport-Security"));
        Assert.Empty(fixture.Arrivals);
    }

    [Fact]
    public async Task Http11_HeaderTimeout_408WithHstsAndAccessLogLine()
    {
        await using var fixture = await HostileProxy.StartAsync("timeouts: { client_header: 1s }\n");

        var response = await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl, $"GET / HTTP/1.1\r\nHost: {fixture.Host}\r\nX-Slow: ");
        var parsed = RawResponse.Parse(Encoding.Latin1.GetBytes(response));
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\" 408 0 "));

        Assert.Equal(408, parsed.Status);
        Assert.Equal([Hsts], parsed.All("Strict-Transport-Security"));
        Assert.Contains("\"- - HTTP/1.1\"", line);
    }

    [Fact]
    public async Task Http11_RejectionAfterServedRequest_OnlyTheRejectionAmended()
    {
        // A kept-alive connection: the first answer is Portcullis's (HSTS from the site), the second Kestrel's.
        await using var fixture = await HostileProxy.StartAsync();

        var both = await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl,
            $"GET /first HTTP/1.1\r\nHost: {fixture.Host}\r\n\r\nGET /second HTTP/1.1\r\nHost: {fixture.Host}\r\nBad Header: x\r\n\r\n");

        Assert.Equal(2, CountOf(both, "HTTP/1.1 "));
        Assert.Equal(2, CountOf(both, "Strict-Transport-Security: " + Hsts + "\r\n"));
        Assert.Contains("HTTP/1.1 400 Bad Request", both);
        Assert.Equal(["/first"], fixture.Arrivals);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(15)]
    public async Task Http2_HeadersBetweenLimitAndTwice_431WithHsts_ConnectionStillDecodes(int kib)
    {
        await using var fixture = await HostileProxy.StartAsync("limits: { max_request_headers: 8KiB }\n");
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, "/big");
        fields.Add(("cookie", "a=" + new string('a', kib * 1024)));

        await h2.WriteRawAsync(HeadersInFrames(1, fields));
        var (rejected, error) = await h2.ResultAsync(1);
        await h2.SendHeadersAsync(3, Http2Frames.Request(fixture.Host, "/after"), endStream: true);
        var (after, afterError) = await h2.ResultAsync(3);
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\" 431 0 "));

        Assert.Null(error);
        Assert.Equal(431, rejected!.Status);
        Assert.Equal([Hsts], rejected.All("strict-transport-security"));
        // The field added to Kestrel's answer left the HPACK state alone: the next answer decodes.
        Assert.Null(afterError);
        Assert.Equal(200, after!.Status);
        Assert.Equal([Hsts], after.All("strict-transport-security"));
        Assert.Contains("\"- - HTTP/2\"", line);
        Assert.Equal(["/after"], fixture.Arrivals);
    }

    [Theory]
    [InlineData("upper-case name", "X-Upper", "a")]
    [InlineData("path past the request-line limit", ":path", "/long")]
    public async Task Http2_ResetByKestrel_AccessLogLine(string attack, string name, string value)
    {
        await using var fixture = await HostileProxy.StartAsync();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, value == "/long" ? "/" + new string('a', 20 * 1024) : "/hostile");
        if (name != ":path")
        {
            fields.Add((name, value));
        }

        await h2.WriteRawAsync(HeadersInFrames(1, fields));
        var (response, error) = await h2.ResultAsync(1);
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("\"- - HTTP/2\""));

        // RFC 9113 §8.1.1: malformed; Kestrel resets (the stream or the connection) with PROTOCOL_ERROR.
        Assert.True(error?.ErrorCode == Http2Frames.ProtocolError, $"{attack}: {response?.Status} {error?.Type}");
        Assert.Contains("\" 400 0 ", line);
        Assert.Empty(fixture.Arrivals);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    // A header block larger than one frame (16 KiB, RFC 9113 §4.2): HEADERS, then CONTINUATION frames.
    private static byte[] HeadersInFrames(int streamId, List<(string, string)> fields)
    {
        const byte continuation = 0x9;
        var block = Http2Frames.EncodeHeaders(streamId, fields, endStream: true).AsSpan(9).ToArray();
        var frames = new MemoryStream();
        for (var offset = 0; offset < block.Length; offset += 16384)
        {
            var length = Math.Min(16384, block.Length - offset);
            var last = offset + length >= block.Length;
            var type = offset == 0 ? Http2Frames.Headers : continuation;
            var flags = (byte)((last ? Http2Frames.EndHeaders : 0) | (offset == 0 ? Http2Frames.EndStream : 0));
            frames.Write(Http2Frames.Encode(type, flags, streamId, block.AsSpan(offset, length)));
        }

        return frames.ToArray();
    }
}
