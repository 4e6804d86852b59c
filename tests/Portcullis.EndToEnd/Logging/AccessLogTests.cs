using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Portcullis.EndToEnd.Forwarding;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Logging;

/// <summary>Point 13: start-up says what listens where; one access-log line per request.</summary>
public sealed class AccessLogTests
{
    [Fact]
    public async Task Startup_NamesListenersHostsAndUpstreams()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        Assert.Contains(proxy.Log.Lines, line => line.Contains($"listening on {proxy.HttpsUrl}") && line.Contains("HTTP/2"));
        Assert.Contains(proxy.Log.Lines, line => line.Contains($"listening on {proxy.HttpUrl}"));
        Assert.Contains(proxy.Log.Lines, line => line.Contains("site localhost") && line.Contains(upstream.Url.ToString()));
    }

    [Fact]
    public async Task Combined_OneLinePerRequest_WithClientHostStatusBytesUpstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/logged?q=1"));
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.UserAgent.ParseAdd("test-agent/1.0");

        using var response = await client.SendAsync(request);
        var length = (await response.Content.ReadAsByteArrayAsync()).Length;
        var line = await proxy.AccessLog.WaitForLineAsync(l => l.Contains("/logged"));

        Assert.StartsWith("127.0.0.1 - - [", line);
        Assert.Contains($"\"GET /logged?q=1 HTTP/1.1\" 200 {length} ", line);
        Assert.Contains("\"test-agent/1.0\"", line);
        Assert.Contains($"\"localhost:{proxy.HttpsPort}\"", line);
        Assert.Contains($"\"{upstream.Url.ToString().TrimEnd('/')}\"", line);
        Assert.DoesNotContain("6.6.6.6", line);
    }

    [Fact]
    public async Task Json_ParsesWithEveryField_TrustedProxyClientIpDecided()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("log: { format: json }\ntrusted_proxies: [127.0.0.0/8]\n" + Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.Https("localhost", "/json")) { Content = new StringContent("x") };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");

        using var response = await client.SendAsync(request);
        var line = await proxy.AccessLog.WaitForLineAsync(l => l.Contains("/json"));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;

        Assert.Equal("203.0.113.9", root.GetProperty("client").GetString());
        Assert.Equal($"localhost:{proxy.HttpsPort}", root.GetProperty("host").GetString());
        Assert.Equal("POST", root.GetProperty("method").GetString());
        Assert.Equal("/json", root.GetProperty("path").GetString());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.True(root.GetProperty("bytes").GetInt64() > 0);
        Assert.True(root.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.Equal(upstream.Url.ToString().TrimEnd('/'), root.GetProperty("upstream").GetString());
    }

    [Fact]
    public async Task WebSocket_OneLineWhenTheSessionEnds_CountingTheMessageBytesSentToTheClient()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11);

        Assert.Equal("hello", await WebSocketTests.EchoAsync(socket, "hello"));
        Assert.Equal(new string('x', 20_000), await WebSocketTests.EchoAsync(socket, new string('x', 20_000)));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var line = await proxy.AccessLog.WaitForLineAsync(l => l.Contains("GET /ws "));

        Assert.Contains("\"GET /ws HTTP/1.1\" 101 20005 ", line);
    }
}
