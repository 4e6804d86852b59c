using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Portcullis.Emulator.Tests.Common;

/// <summary>ClientWebSocket helpers: connect over HTTP/1.1 or HTTP/2, read messages while telling HELLOs apart.</summary>
internal static class WebSocketClient
{
    public static async Task<ClientWebSocket> ConnectAsync(EmulatorServer server, Uri uri, Action<ClientWebSocketOptions>? configure = null, Version? version = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (version is not null)
        {
            socket.Options.HttpVersion = version;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        configure?.Invoke(socket.Options);
        using var invoker = new HttpMessageInvoker(TestEmulator.TrustingHandler(server));
        await socket.ConnectAsync(uri, invoker, TestEmulator.TimeoutToken());
        return socket;
    }

    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveAsync(WebSocket socket)
    {
        var ct = TestEmulator.TimeoutToken();
        using var message = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    /// <summary>The next message that is not the server's periodic HELLO.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveNonHelloAsync(WebSocket socket)
    {
        while (true)
        {
            var message = await ReceiveAsync(socket);
            if (message.Type != WebSocketMessageType.Text || TryParseHello(message.Payload) is null)
            {
                return message;
            }
        }
    }

    public static JsonElement? TryParseHello(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("instruction", out var instruction)
                && instruction.GetInt32() == 1
                ? root.Clone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestEmulator.TimeoutToken());
}
