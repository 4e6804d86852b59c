using System.Diagnostics;
using System.Globalization;
using System.Net;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;

namespace Portcullis.Check.WebSockets;

/// <summary>
/// <c>websocket-http11</c>, <c>websocket-http2</c> and <c>websocket-idle</c> against
/// <c>{web}ws/client/</c>, the socket authentik's UI keeps open; without it the UI shows
/// "Connection error, reconnecting…" (authentik issues #4024, #15317).
/// </summary>
internal static class WebSocketChecks
{
    /// <summary>An application close code (RFC 6455 section 7.4.2) that the emulator echoes: a proxy must pass codes through.</summary>
    private const int CloseCode = 4000;

    private const string Path = "ws/client/";

    public static async Task<CheckResult> RoundTripAsync(string id, Version version, ProbeTarget target, ProbeClient client, bool emulator, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var label = version == HttpVersion.Version20 ? "HTTP/2 (RFC 8441)" : "HTTP/1.1";
        using var deadline = ProbeTimeout.Start(timeout, cancellationToken);
        WebSocketProbe probe;
        try
        {
            probe = await WebSocketProbe.ConnectAsync(target.Wss(Path), version, client.Invoker, deadline.Token);
        }
        catch (WebSocketHandshakeException ex)
        {
            return CheckCatalog.Fail(id, $"{label} handshake to {target.WebPath}{Path} refused: {ex.Message}");
        }

        await using (probe)
        {
            if (!emulator)
            {
                return CheckCatalog.Pass(id, $"{label} handshake succeeded (echo and close code need the Portcullis emulator)");
            }

            try
            {
                if (!await probe.EchoAsync(deadline.Token))
                {
                    return CheckCatalog.Fail(id, $"{label} handshake succeeded, but the connection ended before the echo ({Describe(probe)})");
                }

                var returned = await probe.CloseAsync(CloseCode, deadline.Token);
                return returned is { } status && (int)status == CloseCode
                    ? CheckCatalog.Pass(id, $"{label}: handshake, echo, close code {CloseCode} returned")
                    : CheckCatalog.Fail(id, $"{label}: handshake and echo passed, but close code {CloseCode} came back as {Describe(probe)}");
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return CheckCatalog.Fail(id, $"{label} handshake succeeded, then: {ProbeTimeout.Describe(ex)}");
            }
        }
    }

    /// <summary>Holds a quiet WebSocket for <see cref="CheckOptions.IdleDuration"/>, then proves it still carries messages.</summary>
    public static async Task<CheckResult> IdleAsync(Version version, ProbeTarget target, ProbeClient client, bool emulator, CheckOptions options, CancellationToken cancellationToken)
    {
        var hold = options.IdleDuration;
        WebSocketProbe probe;
        using (var connect = ProbeTimeout.Start(options.Timeout, cancellationToken))
        {
            try
            {
                probe = await WebSocketProbe.ConnectAsync(target.Wss(Path), version, client.Invoker, connect.Token);
            }
            catch (WebSocketHandshakeException ex)
            {
                return CheckCatalog.Fail(CheckIds.WebSocketIdle, $"handshake refused: {ex.Message}");
            }
        }

        await using (probe)
        {
            var clock = Stopwatch.StartNew();
            var ended = await Task.WhenAny(probe.Closed, Task.Delay(hold, cancellationToken)) == probe.Closed;
            cancellationToken.ThrowIfCancellationRequested();
            var seconds = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            if (ended)
            {
                return CheckCatalog.Fail(CheckIds.WebSocketIdle, $"the idle WebSocket was closed after {seconds} s ({Describe(probe)})");
            }

            if (!emulator)
            {
                return CheckCatalog.Pass(CheckIds.WebSocketIdle, $"still open after {seconds} s idle");
            }

            using var deadline = ProbeTimeout.Start(options.Timeout, cancellationToken);
            try
            {
                return await probe.EchoAsync(deadline.Token)
                    ? CheckCatalog.Pass(CheckIds.WebSocketIdle, $"still open after {seconds} s idle; echo answered")
                    : CheckCatalog.Fail(CheckIds.WebSocketIdle, $"open after {seconds} s idle, but no echo ({Describe(probe)})");
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return CheckCatalog.Fail(CheckIds.WebSocketIdle, $"after {seconds} s idle: {ProbeTimeout.Describe(ex)}");
            }
        }
    }

    private static string Describe(WebSocketProbe probe) =>
        probe.CloseStatus is { } status
            ? $"close code {(int)status}{(string.IsNullOrEmpty(probe.CloseStatusDescription) ? string.Empty : $" \"{probe.CloseStatusDescription}\"")}"
            : $"no close frame, state {probe.State}";
}
