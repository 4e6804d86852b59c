using System.Buffers;
using System.Buffers.Binary;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Whether the ClientHello at the start of a connection offers an ALPN protocol (RFC 7301 §3.1),
/// for tls-alpn-01: the CA's validator offers only "acme-tls/1" (RFC 8737 §3, §6.2), and Kestrel's
/// per-connection TLS callback shows the SNI name but not the ALPN list, so a connection middleware
/// peeks the first bytes and asks this before the handshake starts. Pure: no I/O, no state, no heap
/// allocation, no exception for any input; call it again with everything received so far until it
/// stops asking for more.
/// </summary>
/// <remarks>
/// Only the first TLS record is read. A ClientHello that continues in a second record (one over
/// 16 KiB, or a client that fragments it, RFC 8446 §5.1) is <see cref="ClientHelloAlpnScan.NotOffered"/>
/// as soon as its handshake header shows it: its extensions, which come last, are cut off at the
/// record's end. CA validators send the ClientHello in one record, so this only ever costs a retry
/// of a challenge, and a normal client answered NotOffered gets its usual handshake, never a wrong one.
/// Answers are final: a prefix is either NeedMoreData or already what the whole input gives.
/// </remarks>
public static class ClientHelloAlpn
{
    /// <summary>
    /// The most bytes Scan ever asks for: one TLS record header (5) plus the largest plaintext
    /// record fragment (2^14, RFC 8446 §5.1).
    /// </summary>
    public const int MaxLength = RecordHeaderLength + MaxFragmentLength;

    private const int RecordHeaderLength = 5;
    private const int MaxFragmentLength = 16384;
    private const int HandshakeHeaderLength = 4;
    private const int HeadersLength = RecordHeaderLength + HandshakeHeaderLength;
    private const byte ContentTypeHandshake = 22;
    private const byte HandshakeTypeClientHello = 1;

    // legacy_record_version and legacy_version are 0x03xx from SSL 3.0 to TLS 1.3 (RFC 8446 §5.1, §4.1.2).
    private const byte VersionMajor = 3;
    private const int RandomLength = 32;
    private const int MaxSessionIdLength = 32;
    private const ushort ExtensionTypeAlpn = 16;

    /// <summary>
    /// Whether the ClientHello at the start of <paramref name="input"/> offers <paramref name="protocol"/>
    /// in its ALPN extension (RFC 7301 §3.1): Offered only when the exact bytes are one ProtocolName
    /// of a well-formed ALPN extension in a well-formed ClientHello; NeedMoreData only while the input
    /// is a valid beginning shorter than its first record (at most <see cref="MaxLength"/> bytes).
    /// </summary>
    public static ClientHelloAlpnScan Scan(ReadOnlySequence<byte> input, ReadOnlySpan<byte> protocol)
    {
        Span<byte> headers = stackalloc byte[HeadersLength];
        var known = (int)Math.Min(input.Length, HeadersLength);
        input.Slice(0, known).CopyTo(headers);
        if (CheckHeaders(headers[..known]) is { } early)
        {
            return early;
        }

        // The ClientHello lies within the first record (checked above), so at most MaxLength bytes.
        var end = HeadersLength + ReadUInt24(headers[6..]);
        Span<byte> hello = stackalloc byte[(int)Math.Min(input.Length, end)];
        input.Slice(0, hello.Length).CopyTo(hello);
        return ScanClientHello(hello, end, protocol);
    }

    /// <summary>
    /// The record header (RFC 8446 §5.1: type, legacy_record_version, uint16 length) and the handshake
    /// header (§4: msg_type, uint24 length), as far as they are there: null when both are complete and
    /// the ClientHello fits in the record, otherwise the answer already.
    /// </summary>
    private static ClientHelloAlpnScan? CheckHeaders(ReadOnlySpan<byte> headers)
    {
        // Plain HTTP, a PROXY protocol header ('P' or CR) and an SSLv2 hello (0x80) fail here at the first byte.
        if (headers.Length >= 1 && headers[0] != ContentTypeHandshake)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        if (headers.Length >= 2 && headers[1] != VersionMajor)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        // §5.1: a fragment is at most 2^14 bytes, and a handshake record is never empty; one shorter
        // than a handshake header splits even that across records.
        var recordLength = headers.Length >= RecordHeaderLength ? BinaryPrimitives.ReadUInt16BigEndian(headers[3..]) : -1;
        if (recordLength > MaxFragmentLength || recordLength is >= 0 and < HandshakeHeaderLength)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        if (headers.Length >= RecordHeaderLength + 1 && headers[RecordHeaderLength] != HandshakeTypeClientHello)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        if (headers.Length < HeadersLength)
        {
            return ClientHelloAlpnScan.NeedMoreData;
        }

        // A ClientHello longer than the rest of the record continues in the next one (see the remarks).
        return ReadUInt24(headers[6..]) > recordLength - HandshakeHeaderLength ? ClientHelloAlpnScan.NotOffered : null;
    }

    /// <summary>
    /// The ClientHello body (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2 for TLS 1.2, whose extensions may be
    /// absent). <paramref name="hello"/> is the input from its first byte, at most up to
    /// <paramref name="end"/>, the end of the message; positions count from the record's first byte.
    /// </summary>
    private static ClientHelloAlpnScan ScanClientHello(ReadOnlySpan<byte> hello, int end, ReadOnlySpan<byte> protocol)
    {
        var position = HeadersLength;

        // legacy_version, random.
        if (Need(hello, position, 2 + RandomLength, end) is { } missing)
        {
            return missing;
        }

        if (hello[position] != VersionMajor)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        position += 2 + RandomLength;

        // legacy_session_id<0..32>.
        if (Vector(hello, ref position, 1, end, out var sessionIdLength) is { } answer)
        {
            return answer;
        }

        if (sessionIdLength > MaxSessionIdLength)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        position += sessionIdLength;

        // cipher_suites<2..2^16-2>, two bytes each.
        if (Vector(hello, ref position, 2, end, out var cipherSuitesLength) is { } afterSessionId)
        {
            return afterSessionId;
        }

        if (cipherSuitesLength < 2 || cipherSuitesLength % 2 != 0)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        position += cipherSuitesLength;

        // legacy_compression_methods<1..2^8-1>.
        if (Vector(hello, ref position, 1, end, out var compressionMethodsLength) is { } afterCipherSuites)
        {
            return afterCipherSuites;
        }

        if (compressionMethodsLength < 1)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        position += compressionMethodsLength;

        // RFC 5246 §7.4.1.2: a TLS 1.2 ClientHello without extensions ends here.
        if (position == end)
        {
            return Final(hello, end, offered: false);
        }

        // extensions, the last field: they fill the rest of the message exactly.
        if (Vector(hello, ref position, 2, end, out var extensionsLength) is { } afterCompressionMethods)
        {
            return afterCompressionMethods;
        }

        if (position + extensionsLength != end)
        {
            return ClientHelloAlpnScan.NotOffered;
        }

        var offered = false;
        while (position < end)
        {
            // §4.2: extension_type, extension_data<0..2^16-1>. The data of other extensions is skipped
            // unread; reading goes on once the bytes after it arrive.
            if (Need(hello, position, 2, end) is { } noType)
            {
                return noType;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[position..]);
            position += 2;
            if (Vector(hello, ref position, 2, end, out var dataLength) is { } noData)
            {
                return noData;
            }

            if (type == ExtensionTypeAlpn)
            {
                if (Need(hello, position, dataLength, end) is { } notYet)
                {
                    return notYet;
                }

                if (!TryReadAlpn(hello.Slice(position, dataLength), protocol, out var listed))
                {
                    return ClientHelloAlpnScan.NotOffered;
                }

                offered |= listed;
            }

            position += dataLength;
        }

        return Final(hello, end, offered);
    }

    /// <summary>
    /// RFC 7301 §3.1: the extension_data is a ProtocolNameList protocol_name_list&lt;2..2^16-1&gt; of
    /// ProtocolName&lt;1..2^8-1&gt;, each filling its container exactly. False when it is not so;
    /// otherwise <paramref name="listed"/> says whether one name is exactly <paramref name="protocol"/>.
    /// </summary>
    private static bool TryReadAlpn(ReadOnlySpan<byte> data, ReadOnlySpan<byte> protocol, out bool listed)
    {
        listed = false;
        // Two bytes of list length, then at least one name of at least one byte.
        if (data.Length < 2 + 2 || BinaryPrimitives.ReadUInt16BigEndian(data) != data.Length - 2)
        {
            return false;
        }

        var names = data[2..];
        while (!names.IsEmpty)
        {
            var nameLength = names[0];
            if (nameLength == 0 || nameLength > names.Length - 1)
            {
                return false;
            }

            listed |= names.Slice(1, nameLength).SequenceEqual(protocol);
            names = names[(1 + nameLength)..];
        }

        return true;
    }

    /// <summary>
    /// The length prefix of a vector (RFC 8446 §3.4: <paramref name="prefixLength"/> bytes, big-endian)
    /// at <paramref name="position"/>, which moves past the prefix: null when the vector fits before
    /// <paramref name="end"/>, otherwise the answer (see <see cref="Need"/>; a vector overrunning its
    /// container is NotOffered).
    /// </summary>
    private static ClientHelloAlpnScan? Vector(ReadOnlySpan<byte> hello, ref int position, int prefixLength, int end, out int length)
    {
        length = 0;
        if (Need(hello, position, prefixLength, end) is { } missing)
        {
            return missing;
        }

        length = prefixLength == 1 ? hello[position] : BinaryPrimitives.ReadUInt16BigEndian(hello[position..]);
        position += prefixLength;
        return position + length > end ? ClientHelloAlpnScan.NotOffered : null;
    }

    /// <summary>
    /// Null when <paramref name="count"/> bytes at <paramref name="position"/> are there; NotOffered
    /// when they would run past <paramref name="end"/> (no more bytes can fix that); NeedMoreData when
    /// they are yet to arrive.
    /// </summary>
    private static ClientHelloAlpnScan? Need(ReadOnlySpan<byte> hello, int position, int count, int end) =>
        position + count > end ? ClientHelloAlpnScan.NotOffered
        : position + count > hello.Length ? ClientHelloAlpnScan.NeedMoreData
        : null;

    /// <summary>
    /// The answer of a well-formed ClientHello, given only once all of it is there. What is missing
    /// until then is data of other extensions, skipped unread, but a client sends its ClientHello in
    /// one piece, and an answer should not rest on a message never seen whole.
    /// </summary>
    private static ClientHelloAlpnScan Final(ReadOnlySpan<byte> hello, int end, bool offered) =>
        hello.Length < end ? ClientHelloAlpnScan.NeedMoreData
        : offered ? ClientHelloAlpnScan.Offered
        : ClientHelloAlpnScan.NotOffered;

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}
