using System.Diagnostics;
using System.IO.Pipelines;
using Portcullis.Proxy.Logging;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// One client connection as <see cref="EdgeConnections"/> sees it, below Kestrel's HTTP layer: who
/// it is from, which site its TLS name chose (for the HSTS header of a response Kestrel writes
/// itself), and the transport Kestrel's HTTP layer reads and writes through.
/// </summary>
public sealed class EdgeConnection : IDuplexPipe
{
    private readonly IDuplexPipe _transport;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly AccessLog? _accessLog;
    private long _since = Stopwatch.GetTimestamp();
    private volatile bool _rejectionPending;
    private int _http2RejectedStatus;

    public EdgeConnection(IDuplexPipe transport, string client, string? host, string? hsts, bool http2, AccessLog? accessLog)
    {
        Client = client;
        Host = host;
        Hsts = hsts;
        IsHttp2 = http2;
        _accessLog = accessLog;
        _transport = transport;
        _input = new LingeringReader(transport.Input);
        _output = http2 ? new Http2RejectionHeaderWriter(transport.Output, this) : new RejectionHeaderWriter(transport.Output, this);
    }

    public PipeReader Input => _input;

    public PipeWriter Output => _output;

    /// <summary>The peer's address: a rejected request's headers were never read, so no forwarded header counts.</summary>
    public string Client { get; }

    /// <summary>The TLS server name (SNI), or null over plain HTTP or without one.</summary>
    public string? Host { get; }

    /// <summary>The HSTS value of the site the TLS name chose; null over plain HTTP, for a name no site has, or with hsts off.</summary>
    public string? Hsts { get; }

    public bool IsHttp2 { get; }

    /// <summary>Kestrel has rejected a request and is about to write its answer (HTTP/1.x).</summary>
    public bool RejectionPending
    {
        get => _rejectionPending;
        set => _rejectionPending = value;
    }

    /// <summary>Kestrel has rejected an HTTP/2 request and is about to answer it (a 431).</summary>
    public bool Http2RejectionPending => Volatile.Read(ref _http2RejectedStatus) != 0;

    /// <summary>Whether <paramref name="status"/> is the answer Kestrel is about to give; it is then no longer pending.</summary>
    public bool TakeHttp2Rejection(int status) => Interlocked.CompareExchange(ref _http2RejectedStatus, 0, status) == status;

    /// <summary>Kestrel rejected a request on this connection (its BadRequests log event).</summary>
    /// <param name="inBody">The request's body was at fault (too large, too slow, bad chunks): the
    /// request reached Portcullis's handler, which writes its access-log line.</param>
    public void OnRejected(int status, bool inBody)
    {
        if (IsHttp2)
        {
            // Portcullis's handler answers a body's fault itself. Anything else Kestrel answers
            // itself; the writer amends that answer's frame and logs it (Http2RejectionHeaderWriter).
            if (!inBody)
            {
                Volatile.Write(ref _http2RejectedStatus, status);
            }

            return;
        }

        // Over HTTP/1.x Kestrel may answer a body's fault itself (a body too slow, when the handler
        // has not answered): that answer gets HSTS too, but the handler has logged the request.
        LogPending = !inBody;
        RejectionPending = true;
    }

    /// <summary>The pending HTTP/1.x rejection needs its own access-log line.</summary>
    public bool LogPending { get; private set; }

    /// <summary>Kestrel reset an HTTP/2 stream or the connection for a malformed request: no status went out; logged as 400, as nginx does.</summary>
    public void OnHttp2Reset() => LogRejection(400, "HTTP/2");

    /// <summary>The server sent something (a flush): a rejection's duration counts from the last one.</summary>
    public void MarkSent() => Volatile.Write(ref _since, Stopwatch.GetTimestamp());

    /// <summary>The access-log line of a rejection; its duration runs from the connection's last output (or its opening).</summary>
    public void LogRejection(int status, string protocol) =>
        _accessLog?.WriteRejected(Client, Host, protocol, status, Stopwatch.GetElapsedTime(Volatile.Read(ref _since)).TotalMilliseconds);

    /// <summary>
    /// After Kestrel is done with the connection: its answer is flushed, then what the client is still
    /// sending is read and thrown away, within bounds, before the transport is closed. Closing a socket
    /// with unread input makes the kernel send a reset, and a reset arriving before the client has read
    /// the answer destroys it (RFC 9112 §9.6; nginx's lingering_close). Lingering ends when the client
    /// closes its side, sends nothing for <paramref name="idle"/> (it has stopped sending: closing
    /// now leaves nothing unread), or passes <paramref name="time"/> or <paramref name="bytes"/>. A
    /// client that already closed its side costs nothing here.
    /// </summary>
    public async Task LingerAndCloseAsync(TimeSpan idle, TimeSpan time, long bytes, CancellationToken stopping)
    {
        try
        {
            await _output.FlushAsync(stopping);
            // A client that has closed its side already: its end of input is waiting in the pipe.
            var clientFinished = false;
            if (_transport.Input.TryRead(out var waiting))
            {
                clientFinished = waiting.IsCompleted;
                _transport.Input.AdvanceTo(waiting.Buffer.End);
            }

            if (!clientFinished && !stopping.IsCancellationRequested)
            {
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var started = Stopwatch.GetTimestamp();
                long discarded = 0;
                while (discarded <= bytes)
                {
                    var left = time - Stopwatch.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    cancel.CancelAfter(left < idle ? left : idle);
                    var result = await _transport.Input.ReadAsync(cancel.Token);
                    discarded += result.Buffer.Length;
                    _transport.Input.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Bound reached, client gone, or the connection was aborted: close now.
        }
        finally
        {
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
    }
}
