using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Portcullis.Emulator.Hosting;

namespace Portcullis.Emulator.WebSockets;

/// <summary>
/// One accepted WebSocket: a HELLO now and every interval, every message echoed unchanged, the
/// client's close code and reason sent straight back, <c>close:&lt;code&gt;</c> to make the
/// server close first, and 1012 (service restart) when the emulator stops, as authentik's
/// ASGI server does on restart (issue #11090).
/// </summary>
internal sealed class WebSocketSession
{
    /// <summary>RFC 6455 section 7.4.1: what a receiver reports for a close frame without a code.</summary>
    private const int NoStatusReceived = 1005;
    private const int ServiceRestart = 1012;
    private const int MaxMessageBytes = 1024 * 1024;
    private const string CloseCommandPrefix = "close:";

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly TimeSpan _helloInterval;
    private readonly IReadOnlyDictionary<string, string> _helloArgs;
    private readonly ReceivedCloseLog _closeLog;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _closeSent;

    public WebSocketSession(WebSocket socket, TimeSpan helloInterval, IReadOnlyDictionary<string, string> helloArgs, ReceivedCloseLog closeLog)
    {
        _socket = socket;
        _helloInterval = helloInterval;
        _helloArgs = helloArgs;
        _closeLog = closeLog;
    }

    public async Task RunAsync(CancellationToken stopping, CancellationToken aborted)
    {
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var hello = SendHelloAsync(sessionEnd.Token);
        await using var onStop = stopping.Register(() => _ = CloseAsync(ServiceRestart, "server restarting", aborted));
        try
        {
            await ReceiveLoopAsync(aborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The peer vanished without a close frame: nothing left to answer.
        }
        finally
        {
            await sessionEnd.CancelAsync();
            await hello;
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                // Once we have sent a close frame, the peer gets a bounded time to answer it.
                using var timeout = Volatile.Read(ref _closeSent) == 1 ? new CancellationTokenSource(CloseHandshakeTimeout) : null;
                using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), linked?.Token ?? aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await AnswerCloseAsync(aborted);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageBytes)
                {
                    await CloseAsync((int)WebSocketCloseStatus.MessageTooBig, "message too big", aborted);
                    message.SetLength(0);
                    continue;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                var payload = message.ToArray();
                message.SetLength(0);
                if (result.MessageType == WebSocketMessageType.Text && TryParseCloseCommand(payload, out var code))
                {
                    await CloseAsync(code, $"closed on request with {code}", aborted);
                    continue;
                }

                await SendAsync(payload, result.MessageType, aborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Records the client's close and mirrors its code and reason, unless we closed first.</summary>
    private async Task AnswerCloseAsync(CancellationToken aborted)
    {
        var status = _socket.CloseStatus;
        _closeLog.Add(status is null ? NoStatusReceived : (int)status.Value);
        if (_socket.State != WebSocketState.CloseReceived || Interlocked.Exchange(ref _closeSent, 1) == 1)
        {
            return;
        }

        await _sendLock.WaitAsync(aborted);
        try
        {
            await _socket.CloseOutputAsync(status ?? WebSocketCloseStatus.Empty, status is null ? null : _socket.CloseStatusDescription, aborted);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseAsync(int code, string reason, CancellationToken aborted)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) == 1)
        {
            return;
        }

        try
        {
            await _sendLock.WaitAsync(aborted);
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, aborted);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is already gone; there is nobody to tell.
        }
    }

    private async Task SendHelloAsync(CancellationToken sessionEnd)
    {
        try
        {
            using var timer = new PeriodicTimer(_helloInterval);
            do
            {
                var hello = new OutpostMessage((int)OutpostInstruction.Hello, _helloArgs);
                var bytes = JsonSerializer.SerializeToUtf8Bytes(hello, EmulatorJson.Context.OutpostMessage);
                if (Volatile.Read(ref _closeSent) == 1 || _socket.State != WebSocketState.Open)
                {
                    return;
                }

                await SendAsync(bytes, WebSocketMessageType.Text, sessionEnd);
            }
            while (await timer.WaitForNextTickAsync(sessionEnd));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The session is over; the receive loop reports how it ended.
        }
    }

    private async Task SendAsync(byte[] payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _closeSent) == 0 && _socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(payload, type, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// <c>close:&lt;code&gt;</c> with a code an endpoint may send (RFC 6455 section 7.4: not
    /// 1004-1006 or 1015, below 5000); anything else is an ordinary message and is echoed.
    /// </summary>
    internal static bool TryParseCloseCommand(byte[] payload, out int code)
    {
        code = 0;
        if (payload.Length > 32)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(payload);
        return text.StartsWith(CloseCommandPrefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(CloseCommandPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out code)
            && code is >= 1000 and < 5000 and not (1004 or 1005 or 1006 or 1015);
    }
}
