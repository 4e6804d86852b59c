using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>PROXY protocol headers as a load balancer sends them, built from the fields of proxy-protocol.txt section 2.2.</summary>
internal static class ProxyHeaderBytes
{
    public static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public const byte CommandProxy = 0x21;
    public const byte CommandLocal = 0x20;
    public const byte TcpOverIPv4 = 0x11;
    public const byte TcpOverIPv6 = 0x21;

    /// <summary>A v2 header: signature, version/command, family/transport, length, then the block as given.</summary>
    public static byte[] V2(byte versionCommand, byte familyTransport, byte[] block) =>
        [.. Signature, versionCommand, familyTransport, (byte)(block.Length >> 8), (byte)block.Length, .. block];

    /// <summary>The v2 address block for TCP: source, destination, source port, destination port, then any TLVs.</summary>
    public static byte[] Addresses(IPEndPoint source, IPEndPoint destination, params byte[][] tlvs)
    {
        var ports = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(ports, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(ports.AsSpan(2), (ushort)destination.Port);
        return [.. source.Address.GetAddressBytes(), .. destination.Address.GetAddressBytes(), .. ports, .. tlvs.SelectMany(t => t)];
    }

    public static byte[] V2Tcp(string source, string destination, params byte[][] tlvs)
    {
        var from = IPEndPoint.Parse(source);
        var to = IPEndPoint.Parse(destination);
        var family = from.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? TcpOverIPv4 : TcpOverIPv6;
        return V2(CommandProxy, family, Addresses(from, to, tlvs));
    }

    public static byte[] Tlv(byte type, byte[] value) => [type, (byte)(value.Length >> 8), (byte)value.Length, .. value];

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The bytes as a sequence of one segment per byte, as a pipe may hand them over.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) => ByteSegment.Split(bytes, 1);
}
