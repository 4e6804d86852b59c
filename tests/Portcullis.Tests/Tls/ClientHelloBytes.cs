using System.Buffers;
using System.Text;

namespace Portcullis.Tests.Tls;

/// <summary>
/// ClientHellos built field by field (RFC 8446 §4.1.2, §5.1; RFC 7301 §3.1), well-formed or with one
/// field wrong on purpose.
/// </summary>
internal static class ClientHelloBytes
{
    public const ushort ServerNameType = 0;
    public const ushort AlpnType = 16;

    /// <summary>A ClientHello in one record, with these extensions.</summary>
    public static byte[] Hello(params byte[][] extensions) => Record(Handshake(1, Body(Vector16([.. extensions.SelectMany(e => e)]))));

    /// <summary>
    /// The ClientHello body up to the compression methods (legacy_version 0x0303, a random, a 32-byte
    /// session ID, two TLS 1.3 suites, the null method), then <paramref name="rest"/> as it is: the
    /// extensions field with its length, or nothing (a TLS 1.2 hello without extensions, RFC 5246 §7.4.1.2).
    /// </summary>
    public static byte[] Body(byte[] rest) =>
        [0x03, 0x03, .. Enumerable.Range(1, 32).Select(i => (byte)i), .. Vector8(new byte[32]), .. Vector16([0x13, 0x01, 0x13, 0x02]), .. Vector8([0]), .. rest];

    public static byte[] Handshake(byte type, byte[] body) => [type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    public static byte[] Record(byte[] fragment) => [22, 0x03, 0x01, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];

    public static byte[] Extension(ushort type, byte[] data) => [(byte)(type >> 8), (byte)type, .. Vector16(data)];

    /// <summary>The ALPN extension listing these names (RFC 7301 §3.1).</summary>
    public static byte[] Alpn(params string[] names) => Extension(AlpnType, Vector16([.. names.SelectMany(name => Vector8(Ascii(name)))]));

    /// <summary>The server_name extension with one host_name (RFC 6066 §3).</summary>
    public static byte[] ServerName(string host) => Extension(ServerNameType, Vector16([0, .. Vector16(Ascii(host))]));

    public static byte[] Vector8(byte[] content) => [(byte)content.Length, .. content];

    public static byte[] Vector16(byte[] content) => [(byte)(content.Length >> 8), (byte)content.Length, .. content];

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The bytes as a sequence of segments of <paramref name="size"/> bytes (the last may be shorter), as a pipe may hand them over.</summary>
    public static ReadOnlySequence<byte> Segments(byte[] bytes, int size) => ByteSegment.Split(bytes, size);
}
