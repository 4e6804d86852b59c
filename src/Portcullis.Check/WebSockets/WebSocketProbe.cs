using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Portcullis.Check.Probing;

namespace Portcullis.Check.WebSockets;

/// <summary>
/// One ClientWebSocket to <c>{web}ws/client/</c> with a reader that queues every text message,
/// so the echo can be awaited among the emulator's HELLOs, and the close the server sends back
/// can be awaited as an event.
/// </summary>
internal sealed class WebSocketProbe : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    private WebSocketProbe(ClientWebSocket socket) => _socket = socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    /// <summary>Completes when the connection ends, by a close frame or an abort.</summary>
    public Task Closed => _reader;

    public WebSocketState State => _socket.State;

    /// <summary>Connects, or throws <see cref="WebSocketHandshakeException"/> with the server's answer.</summary>
    public static async Task<WebSocketProbe> ConnectAsync(Uri uri, Version version, HttpMessageInvoker invoker, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var socket = new ClientWebSocket();
        foreach (var (name, value) in headers ?? [])
        {
            socket.Options.SetRequestHeader(name, value);
        }

        socket.Options.HttpVersion = version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        // No pings of our own: the idle check must be truly idle.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var answer = socket.HttpStatusCode != 0 ? $"the server answered HTTP {(int)socket.HttpStatusCode} {socket.HttpStatusCode}" : ProbeTimeout.Describe(ex);
            socket.Dispose();
            throw new WebSocketHandshakeException(answer, ex);
        }

        var probe = new WebSocketProbe(socket);
        probe._reader = probe.ReadAsync();
        return probe;
    }

    /// <summary>Sends a unique text message and waits for it to come back; false when the connection ended first.</summary>
    public async Task<bool> EchoAsync(CancellationToken cancellationToken)
    {
        var text = $"portcullis-check {Guid.NewGuid():N}";
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        while (await _messages.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_messages.Reader.TryRead(out var message))
            {
                if (message == text)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The next text message the server sent (e.g. the emulator's HELLO); null when the connection ended first.</summary>
    public async Task<string?> NextTextAsync(CancellationToken cancellationToken)
    {
        while (await _messages.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_messages.Reader.TryRead(out var message))
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>Sends a close frame with <paramref name="code"/> and waits for the server's close; returns the code it sent back.</summary>
    public async Task<WebSocketCloseStatus?> CloseAsync(int code, CancellationToken cancellationToken)
    {
        await _socket.CloseOutputAsync((WebSocketCloseStatus)code, "portcullis check", cancellationToken);
        await _reader.WaitAsync(cancellationToken);
        return _socket.CloseStatus;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    if (result.MessageType == WebSocketMessageType.Text)
                    {
                        _messages.Writer.TryWrite(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted: Closed completes, State tells how.
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }
}

/// <summary>The WebSocket handshake was refused; the message is the server's answer.</summary>
internal sealed class WebSocketHandshakeException(string message, Exception inner) : Exception(message, inner);
