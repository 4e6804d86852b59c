using System.Buffers;
using System.Net.WebSockets;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// One WebSocket carried message by message between the client and the upstream, each side
/// framed by the platform's WebSocket. Close codes pass both ways unchanged; when one side
/// vanishes without a close, the other gets 1001 from Portcullis; an idle socket is closed after
/// timeouts.websocket_idle, and on shutdown every socket gets 1001 (RFC 6455 §7.4.1).
/// </summary>
public sealed class WebSocketSession(WebSocket client, WebSocket upstream, TimeSpan idleTimeout)
{
    private const int BufferSize = 8 * 1024;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Why the session ended, for the log.</summary>
    public string Outcome { get; private set; } = "";

    /// <summary>Message bytes passed to the client, for the access log (nginx counts a tunnel's bytes there too).</summary>
    public long BytesToClient { get; private set; }

    public async Task RunAsync(CancellationToken shutdown)
    {
        // Pending receives are never cancelled: cancelling one aborts the platform's WebSocket,
        // and then no close frame could be sent. Idle and shutdown close both sides instead.
        using var idle = new CancellationTokenSource(idleTimeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, shutdown);
        var stopped = Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            var toUpstream = PumpAsync(client, upstream, idle, toClient: false);
            var toClient = PumpAsync(upstream, client, idle, toClient: true);
            var first = await Task.WhenAny(toUpstream, toClient, stopped);
            if (first == stopped)
            {
                Outcome = shutdown.IsCancellationRequested ? "Portcullis is shutting down" : "idle timeout";
                await Task.WhenAll(CloseAsync(client, Outcome), CloseAsync(upstream, Outcome));
                await Task.WhenAny(Task.WhenAll(toUpstream, toClient), Task.Delay(CloseHandshakeTimeout));
                return;
            }

            var fromClient = first == toUpstream;
            var other = fromClient ? toClient : toUpstream;
            if (((Task<bool>)first).Result)
            {
                // A close was passed on; wait for the other side's answer to pass back.
                if (await Task.WhenAny(other, Task.Delay(CloseHandshakeTimeout)) == other)
                {
                    Outcome = $"closed by the {(fromClient ? "client" : "upstream")} with {(fromClient ? client : upstream).CloseStatus?.ToString("D") ?? "no code"}";
                    return;
                }

                Outcome = "close handshake timed out";
                return;
            }

            // One side vanished without a close frame: tell the other side, with 1001.
            Outcome = fromClient ? "client went away" : "upstream closed the connection";
            await CloseAsync(fromClient ? upstream : client, Outcome);
            await Task.WhenAny(other, Task.Delay(CloseHandshakeTimeout));
        }
        finally
        {
            stop.Cancel();
            client.Abort();
            upstream.Abort();
        }
    }

    /// <summary>Copies messages from one side to the other; true when it ended with a close frame.</summary>
    private async Task<bool> PumpAsync(WebSocket from, WebSocket to, CancellationTokenSource idle, bool toClient)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // A zero-byte receive waits for the next frame without holding a buffer, here or in
                // the streams below: an idle WebSocket (most of authentik's) costs no receive buffer.
                var result = await from.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (result.MessageType != WebSocketMessageType.Close && !result.EndOfMessage)
                {
                    buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
                    result = await from.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.Empty, from.CloseStatusDescription, CancellationToken.None);
                    }

                    return true;
                }

                // An empty frame reports EndOfMessage on the zero-byte receive; it is passed on as is.
                await to.SendAsync(result.Count == 0 ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
                idle.CancelAfter(idleTimeout);
                if (toClient)
                {
                    BytesToClient += result.Count;
                }

                if (result.EndOfMessage && buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task CloseAsync(WebSocket socket, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
            await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone already; Abort in RunAsync releases the connection.
        }
    }
}
