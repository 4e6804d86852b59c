using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Malformed HTTP/2 requests (RFC 9113 §8.1.1, §8.2, §8.3), written frame by frame. Kestrel treats
/// each as malformed and resets the stream (or the connection) with PROTOCOL_ERROR; the upstream
/// must never receive a complete request from one.
/// </summary>
public sealed class Http2MalformationTests(HostileProxy fixture) : IClassFixture<HostileProxy>
{
    public static TheoryData<string, string, string> ForbiddenFields => new()
    {
        // RFC 9113 §8.2.2: connection-specific fields are malformed in HTTP/2.
        { "transfer-encoding", "transfer-encoding", "chunked" },
        { "connection", "connection", "keep-alive" },
        { "keep-alive", "keep-alive", "timeout=5" },
        { "upgrade", "upgrade", "h2c" },
        { "te other than trailers", "te", "gzip" },
        // RFC 9113 §8.2.1: field names must be lower case.
        { "upper-case name", "X-Upper", "a" },
        { "upper-case forwarded header", "X-Forwarded-For", "6.6.6.6" },
        { "NUL in value", "x-a", "a\0b" },
        { "LF in value", "x-a", "a\nb" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenFields))]
    public async Task ForbiddenField_StreamRefused_UpstreamSeesNothing(string attack, string name, string value)
    {
        fixture.Reset();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, "/hostile");
        fields.Add((name, value));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        Assert.True(error is { } e && e.ErrorCode == Http2Frames.ProtocolError || response?.Status == 400,
            $"{attack}: {(response is null ? "" : response.Status)} {error?.Type}/{(error is null ? 0 : error.ErrorCode)}");
        Assert.Empty(fixture.Arrivals);
    }

    [Theory]
    [InlineData(5, "hello world")]
    [InlineData(20, "hello")]
    public async Task ContentLengthDisagreesWithData_StreamReset_UpstreamNeverGetsACompleteRequest(int declared, string sent)
    {
        fixture.Reset();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, "/hostile", "POST");
        fields.Add(("content-length", declared.ToString()));

        await h2.SendHeadersAsync(1, fields, endStream: false);
        await h2.SendDataAsync(1, System.Text.Encoding.ASCII.GetBytes(sent), endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        // RFC 9113 §8.1.1: malformed. Kestrel resets the stream; if Portcullis had already
        // answered, the answer is an error status, never the upstream's.
        Assert.True(error?.ErrorCode == Http2Frames.ProtocolError || response?.Status >= 400,
            $"{(response is null ? "" : response.Status)} {error?.Type}");
        Assert.Empty(fixture.Upstream.Requests);
    }

    [Fact]
    public async Task AuthorityAndHostDiffer_UpstreamGetsTheAuthorityOnly()
    {
        fixture.Reset();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, "/both");
        fields.Add(("host", "evil.example"));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        // RFC 9113 §8.3.1: an intermediary that makes an HTTP/1.1 request MUST take Host from
        // :authority. Kestrel replaces Host with :authority before Portcullis sees the request, so the
        // site, the SNI check and the forwarded Host all use one authority.
        Assert.Null(error);
        Assert.Equal(200, response!.Status);
        var seen = Assert.Single(fixture.Upstream.Requests);
        Assert.Equal([fixture.Host], seen.All("Host"));
        Assert.Equal([fixture.Host], seen.All("X-Forwarded-Host"));
        Assert.DoesNotContain("evil.example", System.Text.Json.JsonSerializer.Serialize(seen));
    }

    [Fact]
    public async Task HostWithoutAuthority_ForAnotherSite_IsNotForwarded()
    {
        fixture.Reset();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);

        await h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("host", "evil.example")], endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        Assert.True(error is not null || response!.Status is 400 or 421, $"{response?.Status}");
        Assert.Empty(fixture.Arrivals);
    }
}
