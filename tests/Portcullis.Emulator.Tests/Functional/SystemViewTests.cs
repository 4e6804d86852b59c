using System.Net;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Functional;

public class SystemViewTests
{
    private const string SystemPath = "/api/v3/admin/system/";

    [Fact]
    public async Task UntrustedPeer_ForwardedHeadersAreShownButIgnored()
    {
        await using var server = await TestEmulator.StartAsync(o => o with { TrustedProxyCidrs = ["10.0.0.0/8"] });

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", SystemPath,
        [
            "Host: auth.example.com:8443",
            "X-Forwarded-For: 6.6.6.6",
            "X-Real-IP: 6.6.6.7",
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: evil.example",
        ]);
        var system = SystemView.Parse(response.Body);

        Assert.Equal(200, response.Status);
        Assert.False(system.PeerTrusted);
        Assert.Equal("127.0.0.1", system.PeerIp);
        Assert.Equal("127.0.0.1", system.ClientIp);
        Assert.Equal("auth.example.com:8443", system.HttpHost);
        Assert.False(system.HttpIsSecure);
        Assert.Equal("http", system.Scheme);
        Assert.Equal("6.6.6.6", system.Header("X-Forwarded-For"));
    }

    [Theory]
    [InlineData(ClientIpMode.Leftmost, "6.6.6.6")]
    [InlineData(ClientIpMode.RightmostUntrusted, "203.0.113.9")]
    public async Task TrustedPeer_ClientIpDependsOnMode_AndProtoAndHostAreHonoured(ClientIpMode mode, string expectedClientIp)
    {
        await using var server = await TestEmulator.StartAsync(o => o with { ClientIp = mode });

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", SystemPath,
        [
            "Host: 127.0.0.1",
            "X-Forwarded-For: 6.6.6.6, 203.0.113.9",
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: auth.example.com",
        ]);
        var system = SystemView.Parse(response.Body);

        Assert.True(system.PeerTrusted);
        Assert.Equal(expectedClientIp, system.ClientIp);
        Assert.True(system.HttpIsSecure);
        Assert.Equal("https", system.Scheme);
        Assert.Equal("auth.example.com", system.HttpHost);
    }

    [Theory]
    [InlineData(ClientIpMode.Leftmost, "255.255.255.255")]
    [InlineData(ClientIpMode.RightmostUntrusted, "203.0.113.9")]
    public async Task TrustedPeer_XffEntriesWithPorts(ClientIpMode mode, string expectedClientIp)
    {
        await using var server = await TestEmulator.StartAsync(o => o with { ClientIp = mode });

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", SystemPath,
        [
            "Host: 127.0.0.1",
            "X-Forwarded-For: [2001:db8::7]:4711, 203.0.113.9:51234",
            "X-Forwarded-For: 10.0.0.1:443",
        ]);
        var system = SystemView.Parse(response.Body);

        Assert.Equal(expectedClientIp, system.ClientIp);
        Assert.Equal("[2001:db8::7]:4711, 203.0.113.9:51234, 10.0.0.1:443", system.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task TrustedPeer_XForwardedProtoHttpOverTls_IsNotSecure()
    {
        await using var server = await TestEmulator.StartAsync();
        using var client = TestEmulator.Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, TestEmulator.Https(server, SystemPath));
        request.Headers.Add("X-Forwarded-Proto", "http");

        using var response = await client.SendAsync(request, TestEmulator.TimeoutToken());
        var system = SystemView.Parse(await response.Content.ReadAsStringAsync());

        Assert.False(system.HttpIsSecure);
        Assert.Equal("http", system.Scheme);
    }

    [Fact]
    public async Task Https_Http2_ReportsProtocolAndConnectionScheme()
    {
        await using var server = await TestEmulator.StartAsync();
        using var client = TestEmulator.Client(server, HttpVersion.Version20);

        using var response = await client.PostAsync(TestEmulator.Https(server, SystemPath), null, TestEmulator.TimeoutToken());
        var system = SystemView.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/2", system.HttpVersion);
        Assert.Equal("POST", system.Method);
        Assert.True(system.HttpIsSecure);
        Assert.Equal($"127.0.0.1:{server.HttpsUrls[0].Port}", system.HttpHost);
    }

    [Fact]
    public async Task Http_Http2_IsNotOffered()
    {
        await using var server = await TestEmulator.StartAsync();
        using var client = TestEmulator.Client(server, HttpVersion.Version20);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(TestEmulator.Http(server, SystemPath), TestEmulator.TimeoutToken()));
    }
}
