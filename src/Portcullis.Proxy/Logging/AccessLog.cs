using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Logging;

/// <summary>
/// One line per request, written by a background task so a slow terminal or disk never holds a
/// request. If the writer falls 10,000 lines behind, lines are dropped and the count reported.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly TextWriter? _stdout;
    private readonly SemaphoreSlim _writerLock = new(1, 1);
    private readonly Task _pump;
    private Destination _destination;
    private long _dropped;

    /// <param name="stdout">Where "stdout" goes (tests capture it); the process's standard output otherwise.</param>
    public AccessLog(LogConfig config, TextWriter? stdout = null)
    {
        _stdout = stdout;
        _destination = Open(config);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>False when log.access is "off": the request handler then counts nothing.</summary>
    public bool Enabled => Volatile.Read(ref _destination).Writer is not null;

    /// <summary>
    /// Applies a reloaded log section: a new format from the next line on, a new file (or stdout,
    /// or off) once the lines already queued are written. The old file is closed, so a rotated log
    /// (logrotate's create) is reopened by a reload.
    /// </summary>
    public void Reconfigure(LogConfig config)
    {
        var current = Volatile.Read(ref _destination);
        if (current.Config == config)
        {
            return;
        }

        var next = Open(config);
        _writerLock.Wait();
        try
        {
            Volatile.Write(ref _destination, next);
            if (current.Writer is not null && !ReferenceEquals(current.Writer, _stdout))
            {
                current.Writer.Flush();
                current.Writer.Dispose();
            }
        }
        finally
        {
            _writerLock.Release();
        }
    }

    private Destination Open(LogConfig config) => new(config, config.Access switch
    {
        "off" => null,
        "stdout" => _stdout ?? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false },
        var path => new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false)),
    });

    private sealed record Destination(LogConfig Config, TextWriter? Writer);

    /// <param name="user">The user forward auth's outpost named, null for none.</param>
    public void Write(HttpContext context, string client, string? user, string? upstream, long bytes, double durationMs)
    {
        var destination = Volatile.Read(ref _destination);
        if (destination.Writer is null)
        {
            return;
        }

        var line = destination.Config.Format == AccessLogFormat.Json
            ? FormatJson(context, client, user, upstream, bytes, durationMs)
            : FormatCombined(context, client, user, upstream, bytes, durationMs);
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// The line of a request Kestrel rejected before Portcullis saw it (Hosting/EdgeConnections.cs):
    /// its method, target and headers were not read, so they are "-", as in nginx's line for a 400.
    /// </summary>
    public void WriteRejected(string client, string? host, string protocol, int status, double durationMs)
    {
        var destination = Volatile.Read(ref _destination);
        if (destination.Writer is null)
        {
            return;
        }

        var line = destination.Config.Format == AccessLogFormat.Json
            ? FormatRejectedJson(client, host, protocol, status, durationMs)
            : string.Create(CultureInfo.InvariantCulture,
                $"{client} - - [{CombinedTime()}] \"- - {protocol}\" {status} 0 \"-\" \"-\" \"{Escape(host)}\" \"-\" {durationMs / 1000:0.000}");
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private static string FormatRejectedJson(string client, string? host, string protocol, int status, double durationMs) =>
        FormatJson(client, null, host, null, null, protocol, status, 0, durationMs, null, "", "");

    /// <summary>nginx's "combined" format (the forward-auth user where nginx has $remote_user), then host, upstream and duration in seconds.</summary>
    private static string FormatCombined(HttpContext context, string client, string? user, string? upstream, long bytes, double durationMs)
    {
        var request = context.Request;
        var headers = request.Headers;
        var time = CombinedTime();
        return string.Create(CultureInfo.InvariantCulture,
            $"{client} - {Escape(user)} [{time}] \"{request.Method} {Escape(request.Path.Value + request.QueryString.Value)} {request.Protocol}\" {context.Response.StatusCode} {bytes} \"{Escape(headers[HeaderNames.Referer])}\" \"{Escape(headers[HeaderNames.UserAgent])}\" \"{Escape(request.Host.Value)}\" \"{upstream ?? "-"}\" {durationMs / 1000:0.000}");
    }

    private sealed record CachedTime(long Second, string Text);

    private static CachedTime _time = new(0, "");

    // Formatting a date costs more than the rest of the line: format once per second (UTC).
    private static string CombinedTime()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        var cached = Volatile.Read(ref _time);
        if (cached.Second == second)
        {
            return cached.Text;
        }

        var text = now.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
        Volatile.Write(ref _time, new CachedTime(second, text));
        return text;
    }

    private static string FormatJson(HttpContext context, string client, string? user, string? upstream, long bytes, double durationMs)
    {
        var request = context.Request;
        return FormatJson(client, user, request.Host.Value, request.Method, request.Path.Value + request.QueryString.Value, request.Protocol,
            context.Response.StatusCode, bytes, durationMs, upstream, request.Headers[HeaderNames.Referer].ToString(), request.Headers[HeaderNames.UserAgent].ToString());
    }

    /// <summary>One JSON line; the fields of a request Kestrel rejected before it was read are null.</summary>
    private static string FormatJson(string client, string? user, string? host, string? method, string? path, string protocol, int status, long bytes,
        double durationMs, string? upstream, string referer, string userAgent)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("client", client);
            json.WriteString("user", user);
            json.WriteString("host", host);
            json.WriteString("method", method);
            json.WriteString("path", path);
            json.WriteString("protocol", protocol);
            json.WriteNumber("status", status);
            json.WriteNumber("bytes", bytes);
            json.WriteNumber("duration_ms", Math.Round(durationMs, 3));
            json.WriteString("upstream", upstream);
            json.WriteString("referer", referer);
            json.WriteString("user_agent", userAgent);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // A request line may carry quotes or control characters; they must not forge log fields.
    private static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        foreach (var c in value)
        {
            if (c is '"' or '\\' || char.IsControl(c))
            {
                var builder = new StringBuilder(value.Length + 8);
                foreach (var ch in value)
                {
                    builder.Append(ch is '"' or '\\' || char.IsControl(ch) ? $"\\x{(int)ch:X2}" : ch);
                }

                return builder.ToString();
            }
        }

        return value;
    }

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Written under the lock: a reload may swap the file between two batches, never inside one.
            await _writerLock.WaitAsync();
            try
            {
                var writer = Volatile.Read(ref _destination).Writer ?? TextWriter.Null;
                while (reader.TryRead(out var line))
                {
                    await writer.WriteLineAsync(line);
                }

                var dropped = Interlocked.Exchange(ref _dropped, 0);
                if (dropped > 0)
                {
                    await writer.WriteLineAsync($"portcullis: {dropped} access-log lines dropped: the log output is too slow");
                }

                await writer.FlushAsync();
            }
            finally
            {
                _writerLock.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
        var writer = Volatile.Read(ref _destination).Writer;
        if (writer is not null)
        {
            await writer.FlushAsync();
            await writer.DisposeAsync();
        }
    }
}
