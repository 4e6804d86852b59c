using System.Net;
using System.Net.WebSockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>Point 9: WebSockets over HTTP/1.1 and HTTP/2 in, HTTP/1.1 Upgrade out; close codes; idle; HTTP/1.0.</summary>
public sealed class WebSocketTests
{
    public static async Task<ClientWebSocket> ConnectAsync(PortcullisInstance proxy, Version version, string path = "/ws", string host = "localhost")
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        if (version != HttpVersion.Version20)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        await socket.ConnectAsync(new Uri($"wss://{host}:{proxy.HttpsPort}{path}"), version == HttpVersion.Version20 ? invoker : null, CancellationToken.None);
        return socket;
    }

    /// <summary>Sends one text message and returns the next message received, however many frames it takes.</summary>
    public static async Task<string> EchoAsync(WebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            received.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(received.ToArray());
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task WebSocket_EchoAndClientCloseCode_PassBothWays_UpstreamSawHttp11Upgrade(string version)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = await ConnectAsync(proxy, Version.Parse(version));

        Assert.Equal("hello", await EchoAsync(socket, "hello"));
        await socket.CloseAsync((WebSocketCloseStatus)4001, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((WebSocketCloseStatus)4001, socket.CloseStatus);
        Assert.Equal("bye", socket.CloseStatusDescription);
        Assert.Equal((WebSocketCloseStatus)4001, Assert.Single(upstream.WebSocketCloses));
        var handshake = Assert.Single(upstream.Requests);
        Assert.Equal("HTTP/1.1", handshake.Protocol);
        Assert.Equal(["websocket"], handshake.All("Upgrade"));
        Assert.Equal(["127.0.0.1"], handshake.All("X-Forwarded-For"));
        Assert.Equal(["https"], handshake.All("X-Forwarded-Proto"));
        Assert.Equal([$"localhost:{proxy.HttpsPort}"], handshake.All("Host"));
    }

    [Fact]
    public async Task WebSocket_EmptyAndLargeAndBinaryMessages_ArriveWhole()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = await ConnectAsync(proxy, HttpVersion.Version11);
        var large = new byte[200_000];
        Random.Shared.NextBytes(large);

        await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, CancellationToken.None);
        var empty = await ReceiveMessageAsync(socket);
        await socket.SendAsync(large, WebSocketMessageType.Binary, true, CancellationToken.None);
        var echoed = await ReceiveMessageAsync(socket);

        Assert.Equal((WebSocketMessageType.Text, 0), (empty.Type, empty.Data.Length));
        Assert.Equal(WebSocketMessageType.Binary, echoed.Type);
        Assert.Equal(large, echoed.Data);
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket)
    {
        var data = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, data.ToArray());
            }
        }
    }

    [Fact]
    public async Task WebSocket_UpstreamClosesWith1012_ClientSees1012()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = await ConnectAsync(proxy, HttpVersion.Version11);

        await socket.SendAsync(Encoding.UTF8.GetBytes("close:1012"), WebSocketMessageType.Text, true, CancellationToken.None);
        var result = await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)1012, result.CloseStatus);
    }

    [Fact]
    public async Task WebSocket_SubprotocolNegotiatedByUpstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        socket.Options.AddSubProtocol("authentik.v1");

        await socket.ConnectAsync(new Uri($"wss://localhost:{proxy.HttpsPort}/ws"), CancellationToken.None);

        Assert.Equal("authentik.v1", socket.SubProtocol);
    }

    [Fact]
    public async Task WebSocket_Idle_ClosedWith1001AfterConfiguredTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { websocket_idle: 1s }\n" + Yaml.Site(upstream.Url));
        using var socket = await ConnectAsync(proxy, HttpVersion.Version11);
        Assert.Equal("still here", await EchoAsync(socket, "still here"));

        var result = await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        Assert.Equal("idle timeout", result.CloseStatusDescription);
    }

    [Fact]
    public async Task WebSocket_IdleLongerThanKeepAlive_StaysOpen()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { keep_alive: 1s }\n" + Yaml.Site(upstream.Url));
        using var socket = await ConnectAsync(proxy, HttpVersion.Version11);

        // Nothing can be awaited for "still open": idle for three keep-alive periods, then talk.
        var pending = socket.ReceiveAsync(new byte[256], CancellationToken.None);
        var finished = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.NotSame(pending, finished);
        await socket.SendAsync(Encoding.UTF8.GetBytes("after idle"), WebSocketMessageType.Text, true, CancellationToken.None);
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task WebSocket_UpstreamRefusesHandshake_ClientGetsUpstreamStatus()
    {
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/ws/outpost", c =>
        {
            c.Response.StatusCode = 401;
            c.Response.Headers.WWWAuthenticate = "Bearer";
            return Task.CompletedTask;
        }));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(proxy, HttpVersion.Version11, "/ws/outpost"));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET /ws/outpost HTTP/1.1
            Host: localhost:{proxy.HttpsPort}
            Upgrade: websocket
            Connection: Upgrade
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
            Sec-WebSocket-Version: 13
            """);
        Assert.Equal(401, response.Status);
        Assert.Equal(["Bearer"], response.All("WWW-Authenticate"));
        Assert.NotNull(error);
    }

    [Fact]
    public async Task Http10_UpgradeRequest_426SaysWebSocketsNeedHttp11_PlainHttp10Served()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var upgrade = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET /ws HTTP/1.0
            Host: localhost:{proxy.HttpsPort}
            Upgrade: websocket
            Connection: Upgrade
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
            Sec-WebSocket-Version: 13
            """);
        var plain = await RawHttp.SendAsync(proxy.HttpsUrl, $"GET /plain HTTP/1.0\nHost: localhost:{proxy.HttpsPort}\n");

        Assert.Equal(426, upgrade.Status);
        Assert.Contains("WebSockets need HTTP/1.1", upgrade.Body);
        Assert.Equal(200, plain.Status);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal("/plain", seen.Path);
        Assert.Equal("HTTP/1.1", seen.Protocol);
    }

    [Fact]
    public async Task NonWebSocketUpgrade_NotPassedOn()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        var response = await RawHttp.SendAsync(proxy.HttpsUrl, $"""
            GET /h2c HTTP/1.1
            Host: localhost:{proxy.HttpsPort}
            Upgrade: h2c
            HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA
            Connection: Upgrade, HTTP2-Settings
            """);

        Assert.Equal(200, response.Status);
        var seen = Assert.Single(upstream.Requests);
        Assert.Empty(seen.All("Upgrade"));
        Assert.Empty(seen.All("HTTP2-Settings"));
    }
}
