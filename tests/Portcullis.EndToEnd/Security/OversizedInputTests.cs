using System.Net;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Oversized headers and bodies: 431 and 413 with the site's HSTS header, over HTTP/1.1 and
/// HTTP/2, and nothing complete reaches the upstream.
/// </summary>
public sealed class OversizedInputTests : IAsyncLifetime
{
    private HostileProxy _fixture = null!;

    public async Task InitializeAsync() => _fixture = await HostileProxy.StartAsync("limits: { max_request_headers: 8KiB, max_request_body: 1KiB }\n");

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Http11_HeadersPastLimit_431WithHsts()
    {
        var response = await RawHttp.SendAsync(_fixture.Proxy.HttpsUrl,
            $"GET / HTTP/1.1\nHost: {_fixture.Host}\nCookie: a={new string('a', 9 * 1024)}\n\n");

        Assert.Equal(431, response.Status);
        Assert.Equal(["max-age=63072000"], response.All("Strict-Transport-Security"));
        Assert.Empty(_fixture.Arrivals);
    }

    [Fact]
    public async Task Http11_HeadersFarPastLimit_Still431WithHsts_NeverForwarded()
    {
        // Kestrel answers before any site is known; the site's HSTS is added below it (docs/security.md).
        var response = await RawHttp.SendAsync(_fixture.Proxy.HttpsUrl,
            $"GET / HTTP/1.1\nHost: {_fixture.Host}\nCookie: a={new string('a', 17 * 1024)}\n\n");

        Assert.Equal(431, response.Status);
        Assert.Equal(["max-age=63072000"], response.All("Strict-Transport-Security"));
        Assert.Empty(_fixture.Arrivals);
    }

    [Fact]
    public async Task Http2_HeadersPastLimit_431WithHsts()
    {
        // Raw frames: HttpClient itself refuses to send past the SETTINGS_MAX_HEADER_LIST_SIZE
        // Kestrel advertises, once that SETTINGS frame has arrived, so it would test the client.
        await using var h2 = await Http2Frames.ConnectAsync(_fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(_fixture.Host, "/");
        fields.Add(("cookie", "a=" + new string('a', 9 * 1024)));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        Assert.Null(error);
        Assert.Equal(431, response!.Status);
        Assert.Equal(["max-age=63072000"], response.All("strict-transport-security"));
        Assert.Empty(_fixture.Arrivals);
    }

    [Fact]
    public async Task HeadersJustUnderLimit_Forwarded()
    {
        using var client = _fixture.Proxy.CreateClient(HttpVersion.Version20);
        using var request = new HttpRequestMessage(HttpMethod.Get, _fixture.Proxy.Https("localhost", "/")) { Version = HttpVersion.Version20 };
        request.Headers.TryAddWithoutValidation("Cookie", "a=" + new string('a', 7 * 1024));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_fixture.Upstream.Requests);
    }

    [Fact]
    public async Task Http11_DeclaredBodyPastLimit_413WithHsts()
    {
        var response = await RawHttp.SendAsync(_fixture.Proxy.HttpsUrl,
            $"POST / HTTP/1.1\nHost: {_fixture.Host}\nContent-Length: 2048\n\n{new string('b', 2048)}");

        Assert.Equal(413, response.Status);
        Assert.Equal(["max-age=63072000"], response.All("Strict-Transport-Security"));
        Assert.Empty(_fixture.Arrivals);
    }

    [Fact]
    public async Task Http11_ChunkedBodyPastLimit_413WithHsts_UpstreamNeverGetsIt()
    {
        var chunk = new string('b', 1500);
        var response = await RawHttp.SendAsync(_fixture.Proxy.HttpsUrl,
            $"POST / HTTP/1.1\nHost: {_fixture.Host}\nTransfer-Encoding: chunked\n\n{chunk.Length:x}\n{chunk}\n0\n\n");

        Assert.Equal(413, response.Status);
        Assert.Equal(["max-age=63072000"], response.All("Strict-Transport-Security"));
        Assert.Empty(_fixture.Upstream.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Http2_BodyPastLimit_413WithHsts(bool declared)
    {
        using var client = _fixture.Proxy.CreateClient(HttpVersion.Version20);
        var content = new StreamContent(new MemoryStream(new byte[4096]));
        content.Headers.ContentLength = declared ? 4096 : null;

        using var response = await client.PostAsync(_fixture.Proxy.Https("localhost", "/"), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(["max-age=63072000"], response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Empty(_fixture.Upstream.Requests);
    }
}
