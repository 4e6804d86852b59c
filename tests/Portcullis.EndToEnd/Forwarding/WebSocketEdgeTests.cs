using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>WebSockets at the edges: an upstream that does not switch, and peers that vanish without a FIN.</summary>
public sealed class WebSocketEdgeTests
{
    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task UpstreamAnswers200InsteadOf101_ClientGets502NamingIt_NeverASuccess(string version)
    {
        // Over HTTP/2 a 2xx answer to an extended CONNECT means "the WebSocket is open" (RFC 8441 §5).
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/not-ws", c => c.Response.WriteAsync("a page")));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = Version.Parse(version);
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });

        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(new Uri($"wss://localhost:{proxy.HttpsPort}/not-ws"), invoker, CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadGateway, socket.HttpStatusCode);
        await proxy.Log.WaitForLineAsync(line => line.Contains("answered the WebSocket handshake with 200 instead of 101"));
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task ClientStopsAnsweringPings_UpstreamGets1001(string version)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { websocket_ping: 1s }\n" + Yaml.Site(upstream.Url));
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = Version.Parse(version);
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        await socket.ConnectAsync(new Uri($"wss://localhost:{proxy.HttpsPort}/ws"), invoker, CancellationToken.None);

        // A client that never reads again answers no ping: like a phone whose network went away
        // without a FIN. Portcullis pings every second and gives up one second later.
        var closed = await upstream.FirstWebSocketClose.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, Assert.Single(upstream.WebSocketCloses));
    }

    [Fact]
    public async Task UpstreamStopsAnsweringPings_ClientGets1001()
    {
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/silent", async c =>
        {
            // Accepted, then never read: the platform answers pings only while a receive is pending.
            using var ws = await c.WebSockets.AcceptWebSocketAsync();
            accepted.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted).ContinueWith(_ => { });
        }));
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { websocket_ping: 1s }\n" + Yaml.Site(upstream.Url));
        using var socket = await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11, "/silent");
        await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var result = await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
    }
}
