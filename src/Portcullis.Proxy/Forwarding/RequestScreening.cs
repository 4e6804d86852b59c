using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// What a request must be, beyond what Kestrel's parser already enforces, before Portcullis forwards
/// it: one unambiguous framing and header fields an upstream cannot read differently. Kestrel
/// rejects obs-fold, whitespace before the colon, NUL, bare CR, repeated or signed-list
/// Content-Length, a final coding other than chunked, bad chunk sizes and extensions, and an
/// absolute-form target whose authority differs from Host; it processes Content-Length with
/// Transfer-Encoding by the latter and closes the connection (RFC 9112 §6.1); over HTTP/2 it refuses
/// upper-case names, Connection, TE other than trailers, and DATA disagreeing with content-length.
/// What it lets through is refused here. See docs/security.md.
/// </summary>
public static class RequestScreening
{
    // Vectorised scans: every request's every header passes through these.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> ControlChars =
        SearchValues.Create("\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000a\u000b\u000c\u000d\u000e\u000f" +
            "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>Why a request is refused: its status, a message for the client, and whether the
    /// connection must close because its framing can no longer be trusted.</summary>
    public readonly record struct Rejection(int Status, string Message, bool Close);

    /// <param name="maxHeaderBytes">limits.max_request_headers: Kestrel's own cap is set above it so that
    /// the 431 is answered here, where the site's HSTS header is known.</param>
    public static Rejection? Check(HttpRequest request, long maxHeaderBytes)
    {
        var http1 = !HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol);
        long headerBytes = 0;
        foreach (var (name, values) in request.Headers)
        {
            // RFC 9113 §8.2.2: connection-specific fields make an HTTP/2 request malformed. Kestrel
            // refuses Connection and TE other than "trailers", but passes these.
            if (!http1 && IsConnectionSpecific(name))
            {
                return new Rejection(StatusCodes.Status400BadRequest, $"The header '{name}' is connection-specific and not allowed in HTTP/2 (RFC 9113 §8.2.2).", false);
            }

            // HTTP/2 pseudo-headers (":authority") are Kestrel's, validated by it (RFC 9113 §8.3).
            if (!IsToken(name) && !(name.StartsWith(':') && !http1))
            {
                return new Rejection(StatusCodes.Status400BadRequest, "A header name has a character outside RFC 9110 §5.1 tokens.", http1);
            }

            foreach (var value in values)
            {
                // Kestrel refuses NUL, CR and LF; other controls pass it, and an upstream could strip,
                // keep or refuse them (RFC 9110 §5.5): Portcullis forwards none.
                if (value is not null && HasControl(value))
                {
                    return new Rejection(StatusCodes.Status400BadRequest, $"The header '{name}' has a control character (RFC 9110 §5.5).", http1);
                }

                // Counted as the header line would be sent in HTTP/1.1: "name: value\r\n".
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        if (headerBytes > maxHeaderBytes)
        {
            return new Rejection(StatusCodes.Status431RequestHeaderFieldsTooLarge, $"The request headers are larger than {maxHeaderBytes} bytes (limits.max_request_headers).", false);
        }

        var transferEncoding = request.Headers.TransferEncoding;
        if (http1 && transferEncoding.Count > 0)
        {
            if (HttpProtocol.IsHttp10(request.Protocol))
            {
                // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding; its framing is faulty.
                return new Rejection(StatusCodes.Status400BadRequest, "Transfer-Encoding is not part of HTTP/1.0 (RFC 9112 §6.1).", true);
            }

            var codings = string.Join(',', transferEncoding.ToArray()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (codings is not [var only] || !only.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                // Kestrel decodes the final chunked only: "gzip, chunked" would reach the upstream as
                // gzip bytes without a coding to say so, and "chunked, chunked" is forbidden (RFC 9112 §7).
                var chunkedTwice = codings.Count(c => c.Equals("chunked", StringComparison.OrdinalIgnoreCase)) > 1;
                return chunkedTwice
                    ? new Rejection(StatusCodes.Status400BadRequest, "chunked is applied more than once (RFC 9112 §7).", true)
                    : new Rejection(StatusCodes.Status501NotImplemented, $"Portcullis decodes the chunked transfer coding only, not '{transferEncoding}' (RFC 9112 §6.1).", true);
            }
        }

        return null;
    }

    private static bool IsConnectionSpecific(string name) =>
        name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("proxy-connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase);

    private static bool IsToken(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(TokenChars);

    private static bool HasControl(string value) => value.AsSpan().ContainsAny(ControlChars);
}
