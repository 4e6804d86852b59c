using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Portcullis.EndToEnd.Forwarding;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Failure;

/// <summary>
/// Issue 4, failing upstreams: an upstream restarting under open WebSockets. Clients (authentik's
/// outposts, the browser UI) must get a close at once, with the upstream's code when it sent one
/// (1012, issue #11090) or 1001 from Portcullis when it vanished, and then reconnect.
/// </summary>
public sealed class WebSocketRestartTests
{
    private const int Clients = 3;

    [Theory]
    [InlineData(1012)]
    [InlineData(null)]
    public async Task UpstreamRestarts_ClientsGetACloseAtOnce_AndReconnectToTheRestartedUpstream(int? upstreamCloseCode)
    {
        var upstream = await TestUpstream.StartAsync();
        var port = upstream.Url.Port;
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < Clients; i++)
        {
            sockets.Add(await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11));
            Assert.Equal($"hello {i}", await WebSocketTests.EchoAsync(sockets[i], $"hello {i}"));
        }

        var closes = sockets.Select(s => s.ReceiveAsync(new byte[256], CancellationToken.None)).ToArray();
        var watch = Stopwatch.StartNew();
        await upstream.EndWebSocketsAsync((WebSocketCloseStatus?)upstreamCloseCode);
        var received = await Task.WhenAll(closes).WaitAsync(TimeSpan.FromSeconds(10));
        watch.Stop();
        foreach (var socket in sockets)
        {
            // The client answers the close, as a WebSocket must (RFC 6455 §5.5.1).
            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        await upstream.DisposeAsync();
        await using var restarted = await TestUpstream.StartAsync(port: port);
        var reconnected = new List<ClientWebSocket>();
        for (var i = 0; i < Clients; i++)
        {
            reconnected.Add(await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11));
            Assert.Equal($"again {i}", await WebSocketTests.EchoAsync(reconnected[i], $"again {i}"));
        }

        var expected = (WebSocketCloseStatus)(upstreamCloseCode ?? (int)WebSocketCloseStatus.EndpointUnavailable);
        Assert.All(received, r => Assert.Equal(WebSocketMessageType.Close, r.MessageType));
        Assert.All(received, r => Assert.Equal(expected, r.CloseStatus));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the closes took {watch.Elapsed}");
        Assert.Equal(Clients, restarted.Requests.Count);
        foreach (var socket in sockets.Concat(reconnected))
        {
            socket.Dispose();
        }
    }
}
