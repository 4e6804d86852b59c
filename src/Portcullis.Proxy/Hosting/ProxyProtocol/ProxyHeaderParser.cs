using System.Buffers;

namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>
/// Reads the PROXY protocol header (HAProxy's "The PROXY protocol", versions 1 and 2,
/// doc/proxy-protocol.txt in haproxy/haproxy) from the first bytes of a connection. Pure: no I/O,
/// no state; call it again with everything received so far until it stops asking for more.
/// Only the configuration decides whether a header is expected, never the bytes (section 5):
/// a listener with listen.proxy_protocol refuses a connection that does not start with one.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The longest header either version may send here (v1: 107 bytes, section 2.1; v2: <see cref="ProxyHeaderV2.MaxLength"/>).</summary>
    public const int MaxLength = ProxyHeaderV2.MaxLength;

    public static ProxyHeaderResult Parse(ReadOnlySequence<byte> input)
    {
        if (input.IsEmpty)
        {
            return ProxyHeaderResult.NeedMoreData;
        }

        // Section 2.2: v2 starts with the 12-byte signature (CR first), v1 with "PROXY"; the two
        // cannot be confused, so the first byte decides which one to read.
        return input.FirstSpan[0] switch
        {
            (byte)'P' => ProxyHeaderV1.Parse(input),
            0x0D => ProxyHeaderV2.Parse(input),
            var first => ProxyHeaderResult.Invalid(0, NotAHeader(first)),
        };
    }

    /// <summary>What the connection seems to start with instead, so the log points at the fix.</summary>
    internal static string NotAHeader(byte first) => first switch
    {
        // RFC 8446 §5.1: a TLS record of type handshake (22) opens every TLS connection.
        0x16 => "no PROXY protocol header: the connection starts with a TLS handshake (is the load balancer set to send the PROXY protocol?)",
        >= (byte)'A' and <= (byte)'Z' => "no PROXY protocol header: the connection starts with plain text, an HTTP request? (is the load balancer set to send the PROXY protocol?)",
        _ => $"no PROXY protocol header: the connection starts with byte 0x{first:x2}",
    };
}
