using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Kestrel's own log events for the requests it rejects before any application code runs, turned
/// into what Portcullis promises for every request: an access-log line and, over HTTP/1.x with
/// TLS, the HSTS header (<see cref="EdgeConnections"/>). Kestrel raises these events on the
/// connection's own thread before it writes its answer, and has no other hook for them. Registered
/// with its own filter at Debug, whatever the level of the console log.
/// </summary>
public sealed class KestrelRejectionLog(EdgeConnections connections) : ILoggerProvider
{
    public const string BadRequestsCategory = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";
    public const string Http2Category = "Microsoft.AspNetCore.Server.Kestrel.Http2";

    public ILogger CreateLogger(string categoryName) =>
        categoryName is BadRequestsCategory or Http2Category ? new Listener(connections) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Listener(EdgeConnections connections) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            switch (eventId.Name)
            {
                case "ConnectionBadRequest" when Find(fields, "ConnectionId") is { } edge:
                    edge.OnRejected(exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest, InBody(exception));
                    break;
                case "Http2ConnectionError" or "HPackDecodingError" when Find(fields, "ConnectionId") is { } edge:
                    edge.OnHttp2Reset();
                    break;
                // A malformed stream (a long :path among them) is reset with PROTOCOL_ERROR; resets for
                // other reasons (the handler aborting a response it had started) have their line already.
                case "Http2StreamError" or "Http2StreamResetAbort" when Field(fields, "error") == "PROTOCOL_ERROR" && Find(fields, "TraceIdentifier") is { } edge:
                    edge.OnHttp2Reset();
                    break;
            }
        }

        // Kestrel's messages for a body's faults (its CoreStrings BadRequest_BadChunk*, _ChunkedRequestIncomplete,
        // _RequestBodyTimeout, _RequestBodyTooLarge, _UnexpectedEndOfRequestContent): the exception
        // carries no public reason, and these begin with fixed text (a header's fault may quote the
        // client's bytes, but only after its own fixed start).
        private static bool InBody(Exception? exception) => exception?.Message is { } message
            && (message.StartsWith("Bad chunk", StringComparison.Ordinal) || message.StartsWith("Chunked request", StringComparison.Ordinal)
                || message.StartsWith("Reading the request body", StringComparison.Ordinal) || message.StartsWith("Request body too large", StringComparison.Ordinal)
                || message.StartsWith("Unexpected end of request content", StringComparison.Ordinal));

        // A stream's trace identifier is "{connection id}:{stream id}".
        private EdgeConnection? Find(IReadOnlyList<KeyValuePair<string, object?>> fields, string key)
        {
            if (Field(fields, key) is not { } id)
            {
                return null;
            }

            var colon = key == "TraceIdentifier" ? id.LastIndexOf(':') : -1;
            return connections.Find(colon > 0 ? id[..colon] : id);
        }

        private static string? Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string key)
        {
            foreach (var (name, value) in fields)
            {
                if (name == key)
                {
                    return value?.ToString();
                }
            }

            return null;
        }
    }
}
