using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>
/// The binary header, proxy-protocol.txt section 2.2: a 12-byte signature, version and command,
/// family and transport, a 16-bit length, then the addresses and optional TLVs. Only TCP over IPv4
/// or IPv6 carries a client Portcullis can use; LOCAL keeps the real endpoints.
/// </summary>
internal static class ProxyHeaderV2
{
    /// <summary>The fixed part: signature, version/command, family/transport, length (section 2.2).</summary>
    public const int FixedLength = 16;

    /// <summary>
    /// Our bound on a whole v2 header. The length field allows 64 KiB, but addresses take at most
    /// 216 bytes and the TLVs senders add (ALPN, authority, unique ID of up to 128 bytes, SSL
    /// details, cloud endpoint IDs) stay well under this; a longer header only holds memory.
    /// </summary>
    public const int MaxLength = 4096;

    private const byte CommandLocal = 0x0;
    private const byte CommandProxy = 0x1;
    private const byte FamilyUnspecified = 0x0;
    private const byte FamilyInet = 0x1;
    private const byte FamilyInet6 = 0x2;
    private const byte FamilyUnix = 0x3;
    private const byte TransportStream = 0x1;
    private const byte TransportDatagram = 0x2;
    private const int TlvHeaderLength = 3;

    private static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static ProxyHeaderResult Parse(ReadOnlySequence<byte> input)
    {
        Span<byte> start = stackalloc byte[FixedLength];
        var available = (int)Math.Min(input.Length, FixedLength);
        input.Slice(0, available).CopyTo(start);
        var known = Math.Min(available, Signature.Length);
        if (!start[..known].SequenceEqual(Signature[..known]))
        {
            return ProxyHeaderResult.Invalid(2, "PROXY v2: the 12-byte signature does not match (section 2.2)");
        }

        if (available < FixedLength)
        {
            return ProxyHeaderResult.NeedMoreData;
        }

        // Section 2.2: the 13th byte's high nibble is the version, "must always be sent as \x2 and
        // the receiver must only accept this value"; the low nibble the command, and "receivers
        // must drop connections presenting unexpected values here".
        var version = start[12] >> 4;
        var command = (byte)(start[12] & 0x0F);
        if (version != 2)
        {
            return Invalid($"version {version}, only 2 exists");
        }

        if (command is not (CommandLocal or CommandProxy))
        {
            return Invalid($"unknown command 0x{command:x} (0 LOCAL or 1 PROXY)");
        }

        var family = (byte)(start[13] >> 4);
        var transport = (byte)(start[13] & 0x0F);
        var blockLength = BinaryPrimitives.ReadUInt16BigEndian(start[14..]);
        var length = FixedLength + blockLength;
        if (length > MaxLength)
        {
            return Invalid($"a header of {length} bytes, more than the {MaxLength} accepted");
        }

        // Section 2.2: "the receiver must not start to parse an address before the whole address
        // block is received"; the header is exactly 16 + length bytes.
        if (input.Length < length)
        {
            return ProxyHeaderResult.NeedMoreData;
        }

        if (command == CommandLocal)
        {
            // Section 2.2: LOCAL is the proxy's own connection (a health check); "the receiver must
            // accept this connection as valid and must use the real connection endpoints and
            // discard the protocol block including the family which is ignored".
            return ProxyHeaderResult.Local(2, length);
        }

        // Section 2.2: families and transports beyond these "must be rejected as invalid by receivers".
        if (family > FamilyUnix || transport > TransportDatagram)
        {
            return Invalid($"unknown address family/transport byte 0x{start[13]:x2}");
        }

        var addressLength = (family, transport) switch
        {
            (FamilyInet, TransportStream) => 4 + 4 + 2 + 2,
            (FamilyInet6, TransportStream) => 16 + 16 + 2 + 2,
            // Section 2.2 leaves the receiver "free to accept the connection anyway and use the real
            // endpoints addresses or to reject" a PROXY connection it cannot read addresses from.
            // Refused: the real endpoint is the trusted load balancer, so accepting would make a
            // relayed client's own X-Forwarded-For believed as if the balancer had sent it.
            _ => -1,
        };
        if (addressLength < 0)
        {
            return Invalid($"a PROXY command for {Describe(family, transport)} carries no TCP client address");
        }

        if (blockLength < addressLength)
        {
            return Invalid($"address length {blockLength} is shorter than the {addressLength} bytes {Describe(family, transport)} needs");
        }

        Span<byte> block = stackalloc byte[blockLength]; // At most MaxLength - FixedLength, checked above.
        input.Slice(FixedLength, blockLength).CopyTo(block);
        if (CheckTlvs(block[addressLength..]) is { } tlvProblem)
        {
            return Invalid(tlvProblem);
        }

        IPEndPoint source, destination;
        if (family == FamilyInet)
        {
            source = new IPEndPoint(new IPAddress(block[..4]), BinaryPrimitives.ReadUInt16BigEndian(block[8..]));
            destination = new IPEndPoint(new IPAddress(block[4..8]), BinaryPrimitives.ReadUInt16BigEndian(block[10..]));
        }
        else
        {
            source = new IPEndPoint(new IPAddress(block[..16]), BinaryPrimitives.ReadUInt16BigEndian(block[32..]));
            destination = new IPEndPoint(new IPAddress(block[16..32]), BinaryPrimitives.ReadUInt16BigEndian(block[34..]));
        }

        return ProxyHeaderResult.Proxied(2, length, source, destination);
    }

    /// <summary>
    /// Section 2.2: after the addresses, type-length-value vectors (1-byte type, 2-byte length).
    /// Their contents are skipped (a receiver "may choose to skip over and ignore" them; none is
    /// used here, so a CRC32C TLV is not checked either), but their framing must fit the header
    /// exactly: a TLV running past its end means sender and receiver disagree on the bytes.
    /// </summary>
    private static string? CheckTlvs(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < TlvHeaderLength)
            {
                return $"{tlvs.Length} byte(s) after the last TLV, too few for a TLV header";
            }

            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (valueLength > tlvs.Length - TlvHeaderLength)
            {
                return $"TLV type 0x{tlvs[0]:x2} of {valueLength} bytes runs past the end of the header";
            }

            tlvs = tlvs[(TlvHeaderLength + valueLength)..];
        }

        return null;
    }

    private static string Describe(byte family, byte transport)
    {
        var f = family switch { FamilyUnspecified => "AF_UNSPEC", FamilyInet => "AF_INET", FamilyInet6 => "AF_INET6", _ => "AF_UNIX" };
        var t = transport switch { TransportStream => "STREAM", TransportDatagram => "DGRAM", _ => "UNSPEC" };
        return $"{f}/{t}";
    }

    private static ProxyHeaderResult Invalid(string reason) => ProxyHeaderResult.Invalid(2, "PROXY v2: " + reason);
}
