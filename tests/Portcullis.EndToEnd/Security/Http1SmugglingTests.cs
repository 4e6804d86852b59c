using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Request smuggling over HTTP/1.1 (RFC 9112 §6, §7; PortSwigger's CL.TE/TE.CL family). Bytes go
/// out exactly as written, CRLFs explicit. Each request is either refused before the upstream
/// sees anything, or reaches it as exactly one request with the body Portcullis decoded; a request
/// whose body turns out malformed midway reaches the upstream only as an aborted request, never a
/// complete one. "{host}" stands for the site's host and port.
/// </summary>
public sealed class Http1SmugglingTests(HostileProxy fixture) : IClassFixture<HostileProxy>
{
    private const string Post = "POST /hostile HTTP/1.1\r\nHost: {host}\r\n";

    public static TheoryData<string, string, int> Refused => new()
    {
        // Framing: the upstream must never have to choose between two body lengths.
        { "two Content-Length values", Post + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", 400 },
        { "Content-Length list", Post + "Content-Length: 5, 5\r\n\r\nabcde", 400 },
        { "TE gzip, chunked", Post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501 },
        { "TE chunked, identity", Post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400 },
        { "TE xchunked", Post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400 },
        { "TE chunked twice", Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
        { "TE with trailing junk", Post + "Transfer-Encoding: chunked;x\r\n\r\n0\r\n\r\n", 400 },
        { "TE over HTTP/1.0", "POST /hostile HTTP/1.0\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
        // Header syntax (RFC 9112 §5): lines one parser would fold or trim and another would not.
        { "obs-fold", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A: a\r\n b\r\n\r\n", 400 },
        { "space before colon", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nContent-Length : 0\r\n\r\n", 400 },
        { "tab before colon", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A\t: a\r\n\r\n", 400 },
        { "header without colon", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A a\r\n\r\n", 400 },
        { "bare CR in value", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A: a\rb\r\n\r\n", 400 },
        { "NUL in value", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A: a\0b\r\n\r\n", 400 },
        { "NUL in name", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX\0A: b\r\n\r\n", 400 },
        { "control character in value", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A: a\u0001b\r\n\r\n", 400 },
        { "DEL in value", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX-A: a\u007fb\r\n\r\n", 400 },
        { "control character in name", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nX\u0001A: b\r\n\r\n", 400 },
        { "two Host headers", "GET /hostile HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\n\r\n", 400 },
        { "no Host", "GET /hostile HTTP/1.1\r\nX-A: a\r\n\r\n", 400 },
        { "space in target", "GET /hostile x HTTP/1.1\r\nHost: {host}\r\n\r\n", 400 },
        // Absolute form (RFC 9112 §3.2.2): the target's authority and Host must agree.
        { "absolute-form to another host", "GET http://evil.example/hostile HTTP/1.1\r\nHost: {host}\r\n\r\n", 400 },
        { "absolute-form https to another host", "GET https://evil.example/hostile HTTP/1.1\r\nHost: {host}\r\n\r\n", 400 },
    };

    /// <summary>Bodies that turn out malformed only after Portcullis has started forwarding.</summary>
    public static TheoryData<string, string> BadChunks => new()
    {
        { "chunk size 0x10", Post + "Transfer-Encoding: chunked\r\n\r\n0x10\r\n0123456789abcdef\r\n0\r\n\r\n" },
        { "chunk size -1", Post + "Transfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n" },
        { "chunk size overflows", Post + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nabc\r\n0\r\n\r\n" },
        { "chunk extension with bare LF", Post + "Transfer-Encoding: chunked\r\n\r\n5;ext\nhello\r\n0\r\n\r\n" },
        { "quoted chunk extension with LF", Post + "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n" },
        { "chunk size line bare LF", Post + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n" },
        { "chunk data longer than its size", Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n" },
    };

    /// <summary>Unusual but unambiguous requests: forwarded as one clean request.</summary>
    public static TheoryData<string, string, string, long> Normalised => new()
    {
        // Content-Length with Transfer-Encoding: Kestrel reads the body by the chunks alone and closes
        // the connection after answering (RFC 9112 §6.1), so nothing after it is read as a request.
        { "CL+TE", Post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "/hostile", 0 },
        { "TE+CL", Post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "/hostile", 5 },
        // Kestrel reads "+5" as 5 and the upstream gets "Content-Length: 5": one reading only.
        { "Content-Length with a sign", Post + "Content-Length: +5\r\nConnection: close\r\n\r\nabcde", "/hostile", 5 },
        { "bare LF line endings", "GET /lf HTTP/1.1\nHost: {host}\nConnection: close\n\n", "/lf", 0 },
        { "absolute-form to the same host", "GET https://{host}/abs HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", "/abs", 0 },
        { "quoted chunk extension", Post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;a=\"b;c\"\r\nhello\r\n0\r\n\r\n", "/hostile", 5 },
        { "Transfer-Encoding in capitals", Post + "Transfer-Encoding: CHUNKED\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "/hostile", 5 },
        { "chunked with trailer", Post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n", "/hostile", 5 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refused_BeforeTheUpstreamSeesAnything(string attack, string request, int status)
    {
        fixture.Reset();

        var response = await ExchangeAsync(request + Smuggled);

        Assert.True(response.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal), $"{attack}: {response}");
        Assert.Single(Responses(response));
        Assert.Empty(fixture.Arrivals);
    }

    [Theory]
    [MemberData(nameof(BadChunks))]
    public async Task BadChunk_400_UpstreamNeverGetsACompleteRequest(string attack, string request)
    {
        fixture.Reset();

        var response = await ExchangeAsync(request + Smuggled);

        Assert.True(response.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), $"{attack}: {response}");
        Assert.Single(Responses(response));
        Assert.Empty(fixture.Upstream.Requests);
        Assert.DoesNotContain("/smuggled", fixture.Arrivals);
    }

    [Theory]
    [MemberData(nameof(Normalised))]
    public async Task Normalised_UpstreamReceivesExactlyOneCleanRequest(string attack, string request, string path, long bodyLength)
    {
        fixture.Reset();

        var response = await ExchangeAsync(request + Smuggled);

        Assert.True(response.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal), $"{attack}: {response}");
        Assert.Single(Responses(response));
        Assert.Equal([path], fixture.Arrivals);
        var seen = Assert.Single(fixture.Upstream.Requests);
        Assert.Equal(path, seen.Path);
        Assert.Equal(bodyLength, seen.BodyLength);
        Assert.Equal([fixture.Host], seen.All("Host"));
        Assert.All(seen.All("Transfer-Encoding"), v => Assert.Equal("chunked", v));
        Assert.True(seen.All("Content-Length").Length + seen.All("Transfer-Encoding").Length <= 1, "one framing header at most");
    }

    [Fact]
    public async Task ClTe_ReadAsChunked_SmuggledPrefixAndPipelinedRequestNeverReachUpstream()
    {
        fixture.Reset();
        // CL.TE: a front end that reads Content-Length passes "GET /smuggled..." on as body; a
        // back end that reads chunked ends the body at "0" and runs the rest as a second request.
        const string smuggled = "GET /smuggled HTTP/1.1\r\nX-Ignore: ";
        var attack = Post + $"Content-Length: {5 + smuggled.Length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}"
            + "GET /second HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

        var response = await ExchangeAsync(attack);

        Assert.StartsWith("HTTP/1.1 200 ", response);
        Assert.Single(Responses(response));
        var seen = Assert.Single(fixture.Upstream.Requests);
        Assert.Equal("/hostile", seen.Path);
        Assert.Equal(0, seen.BodyLength);
        Assert.Equal(["/hostile"], fixture.Arrivals);
    }

    [Fact]
    public async Task TeCl_ReadAsChunked_SmuggledRequestStaysBody_ConnectionCloses()
    {
        fixture.Reset();
        // TE.CL: the chunk carries a whole request; a Content-Length reader would stop after "5c\r\n".
        const string inner = "GPOST /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\nx=1";
        var attack = Post + $"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n{inner.Length:x}\r\n{inner}\r\n0\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

        var response = await ExchangeAsync(attack);

        Assert.StartsWith("HTTP/1.1 200 ", response);
        Assert.Single(Responses(response));
        var seen = Assert.Single(fixture.Upstream.Requests);
        Assert.Equal("/hostile", seen.Path);
        Assert.Equal(inner.Length, seen.BodyLength);
        Assert.Equal(["/hostile"], fixture.Arrivals);
    }

    [Fact]
    public async Task PlainPipelining_EachRequestArrivesOnce_InOrder()
    {
        fixture.Reset();
        var pipelined = Post + "Content-Length: 5\r\n\r\nhello"
            + "GET /second HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

        var response = await ExchangeAsync(pipelined);

        Assert.Equal(2, Responses(response).Length);
        Assert.Equal(["/hostile", "/second"], fixture.Upstream.Requests.Select(r => r.Path));
        Assert.Equal([5L, 0L], fixture.Upstream.Requests.Select(r => r.BodyLength));
    }

    /// <summary>A request pipelined after each attack: it must never reach the upstream as a request of its own.</summary>
    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";

    private Task<string> ExchangeAsync(string request) =>
        RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl, request.Replace("{host}", fixture.Host), TimeSpan.FromSeconds(10));

    private static string[] Responses(string wire) =>
        System.Text.RegularExpressions.Regex.Matches(wire, @"(?m)^HTTP/1\.[01] \d{3} .*$").Select(m => m.Value.TrimEnd('\r')).ToArray();
}
