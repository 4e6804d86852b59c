using System.Net;
using System.Net.WebSockets;
using System.Text;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Functional;

public class WebSocketTests
{
    private const string ClientPath = "/ws/client/";
    private static readonly string OutpostPath = $"/ws/outpost/{Guid.NewGuid()}/";

    [Fact]
    public async Task Client_EchoesTextAndBinaryUnchanged()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, ClientPath));
        var binary = new byte[] { 0, 1, 2, 250, 255 };

        await WebSocketClient.SendTextAsync(socket, "hello authentik ✓");
        var text = await WebSocketClient.ReceiveNonHelloAsync(socket);
        await socket.SendAsync(binary, WebSocketMessageType.Binary, true, TestEmulator.TimeoutToken());
        var echoedBinary = await WebSocketClient.ReceiveNonHelloAsync(socket);

        Assert.Equal(WebSocketMessageType.Text, text.Type);
        Assert.Equal("hello authentik ✓", Encoding.UTF8.GetString(text.Payload));
        Assert.Equal(WebSocketMessageType.Binary, echoedBinary.Type);
        Assert.Equal(binary, echoedBinary.Payload);
    }

    [Fact]
    public async Task Hello_ArrivesOnConnectAndEveryInterval_InAuthentiksMessageFormat()
    {
        await using var server = await TestEmulator.StartAsync(o => o with { HelloInterval = TimeSpan.FromMilliseconds(100) });
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, ClientPath));

        var first = WebSocketClient.TryParseHello((await WebSocketClient.ReceiveAsync(socket)).Payload);
        var second = WebSocketClient.TryParseHello((await WebSocketClient.ReceiveAsync(socket)).Payload);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal("client", first.Value.GetProperty("args").GetProperty("endpoint").GetString());
        Assert.Equal("HTTP/1.1", first.Value.GetProperty("args").GetProperty("http_version").GetString());
    }

    [Fact]
    public async Task ClientClose_CodeAndReasonComeBack_AndAreRecorded()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, ClientPath));

        await socket.CloseAsync((WebSocketCloseStatus)4321, "going fishing", TestEmulator.TimeoutToken());

        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(4321, (int?)socket.CloseStatus);
        Assert.Equal("going fishing", socket.CloseStatusDescription);
        Assert.Contains(4321, server.ReceivedCloseCodes);
    }

    [Theory]
    [InlineData(1011)]
    [InlineData(1012)]
    public async Task CloseCommand_ServerClosesWithRequestedCode(int code)
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, ClientPath));

        await WebSocketClient.SendTextAsync(socket, $"close:{code}");
        var message = await WebSocketClient.ReceiveNonHelloAsync(socket);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", TestEmulator.TimeoutToken());

        Assert.Equal(WebSocketMessageType.Close, message.Type);
        Assert.Equal(code, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Stop_ClosesOpenSocketsWithServiceRestart()
    {
        var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, ClientPath));
        await WebSocketClient.ReceiveAsync(socket); // the HELLO: the session is running

        var stopping = server.DisposeAsync().AsTask();
        var message = await WebSocketClient.ReceiveNonHelloAsync(socket);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, TestEmulator.TimeoutToken());
        await stopping;

        Assert.Equal(WebSocketMessageType.Close, message.Type);
        Assert.Equal(1012, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Outpost_WithoutBearerToken_Gets401BeforeTheUpgrade()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer wrong-token");

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(TestEmulator.Ws(server, OutpostPath), TestEmulator.TimeoutToken()));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Outpost_WithBearerToken_ConnectsAndSaysHello()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, OutpostPath),
            options => options.SetRequestHeader("Authorization", TestEmulator.OutpostBearer.ToString()));

        var hello = WebSocketClient.TryParseHello((await WebSocketClient.ReceiveAsync(socket)).Payload);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.NotNull(hello);
        Assert.Equal(OutpostPath.Split('/')[3], hello.Value.GetProperty("args").GetProperty("outpost").GetString());
    }

    [Fact]
    public async Task Outpost_PathWithoutUuid_Is404()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", TestEmulator.OutpostBearer.ToString());

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(TestEmulator.Ws(server, "/ws/outpost/not-a-uuid/"), TestEmulator.TimeoutToken()));

        Assert.Equal(HttpStatusCode.NotFound, socket.HttpStatusCode);
    }

    [Fact]
    public async Task PlainGetWithoutUpgrade_Is400()
    {
        await using var server = await TestEmulator.StartAsync();

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", ClientPath, ["Host: 127.0.0.1"]);

        Assert.Equal(400, response.Status);
        Assert.Contains("Upgrade", response.Body);
    }

    [Fact]
    public async Task Http2ExtendedConnect_OverTls_EchoesAndPassesCloseCodes()
    {
        await using var server = await TestEmulator.StartAsync();
        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Wss(server, OutpostPath),
            options => options.SetRequestHeader("Authorization", TestEmulator.OutpostBearer.ToString()),
            HttpVersion.Version20);

        var hello = WebSocketClient.TryParseHello((await WebSocketClient.ReceiveAsync(socket)).Payload);
        await WebSocketClient.SendTextAsync(socket, "over h2");
        var echo = await WebSocketClient.ReceiveNonHelloAsync(socket);
        await socket.CloseAsync((WebSocketCloseStatus)4002, "h2 bye", TestEmulator.TimeoutToken());

        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal("HTTP/2", hello!.Value.GetProperty("args").GetProperty("http_version").GetString());
        Assert.Equal("over h2", Encoding.UTF8.GetString(echo.Payload));
        Assert.Equal(4002, (int?)socket.CloseStatus);
        Assert.Contains(4002, server.ReceivedCloseCodes);
    }
}
