using System.Buffers;
using System.Net;
using Portcullis.Proxy.Hosting.ProxyProtocol;
using static Portcullis.Tests.Hosting.ProxyProtocol.ProxyHeaderBytes;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>The binary header of proxy-protocol.txt section 2.2, as send-proxy-v2, AWS NLB and others write it.</summary>
public sealed class ProxyHeaderV2Tests
{
    private static ProxyHeaderResult Parse(byte[] bytes) => ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

    [Fact]
    public void Parse_ProxyTcpOverIPv4_CarriesSourceAndDestination_LeavesWhatFollows()
    {
        var header = V2Tcp("192.0.2.10:56324", "198.51.100.2:443");

        var result = Parse([.. header, 0x16, 0x03, 0x01]);

        Assert.Equal(ProxyHeaderStatus.Proxied, result.Status);
        Assert.Equal(2, result.Version);
        Assert.Equal(16 + 12, result.Length);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:56324"), result.Source);
        Assert.Equal(IPEndPoint.Parse("198.51.100.2:443"), result.Destination);
    }

    [Fact]
    public void Parse_ProxyTcpOverIPv6_CarriesTheIPv6Addresses()
    {
        var result = Parse(V2Tcp("[2001:db8::1]:65535", "[2001:db8::2]:8443"));

        Assert.Equal(ProxyHeaderStatus.Proxied, result.Status);
        Assert.Equal(16 + 36, result.Length);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:65535"), result.Source);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::2]:8443"), result.Destination);
    }

    [Fact]
    public void Parse_ExactTcp4BytesFromTheWire_AsHAProxySendsThem()
    {
        // send-proxy-v2 for 172.19.0.1:42578 -> 172.19.0.3:80.
        byte[] wire = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
            0xAC, 0x13, 0x00, 0x01, 0xAC, 0x13, 0x00, 0x03, 0xA6, 0x52, 0x00, 0x50];

        var result = Parse(wire);

        Assert.Equal(IPEndPoint.Parse("172.19.0.1:42578"), result.Source);
        Assert.Equal(IPEndPoint.Parse("172.19.0.3:80"), result.Destination);
    }

    [Fact]
    public void Parse_Local_KeepsTheRealEndpoints_SkipsTheBlock()
    {
        var bare = Parse(V2(CommandLocal, 0x00, []));
        var withAddresses = Parse(V2(CommandLocal, TcpOverIPv4, Addresses(IPEndPoint.Parse("10.0.0.1:1"), IPEndPoint.Parse("10.0.0.2:2"))));
        // Section 2.2: for LOCAL "the family ... is ignored", even an unassigned one.
        var oddFamily = Parse(V2(CommandLocal, 0xFF, [1, 2, 3]));

        Assert.Equal((ProxyHeaderStatus.Local, 16), (bare.Status, bare.Length));
        Assert.Equal((ProxyHeaderStatus.Local, 28), (withAddresses.Status, withAddresses.Length));
        Assert.Equal((ProxyHeaderStatus.Local, 19), (oddFamily.Status, oddFamily.Length));
        Assert.Null(withAddresses.Source);
    }

    [Fact]
    public void Parse_Tlvs_AreSkipped_AndCountedInTheLength()
    {
        var header = V2Tcp("192.0.2.10:1000", "198.51.100.2:443",
            Tlv(0x01, Ascii("h2")),                       // PP2_TYPE_ALPN
            Tlv(0x02, Ascii("sso.domain.tld")),           // PP2_TYPE_AUTHORITY
            Tlv(0x04, []),                                // PP2_TYPE_NOOP, empty
            Tlv(0x05, new byte[128]),                     // PP2_TYPE_UNIQUE_ID, its maximum
            Tlv(0x20, [0x01, 0, 0, 0, 0, .. Tlv(0x21, Ascii("TLSv1.3"))]), // PP2_TYPE_SSL with a sub-TLV
            Tlv(0xEA, Ascii("vpce-0123456789abcdef")));   // AWS's VPC endpoint ID (a custom type)

        var result = Parse([.. header, (byte)'G', (byte)'E', (byte)'T']);

        Assert.Equal(ProxyHeaderStatus.Proxied, result.Status);
        Assert.Equal(header.Length, result.Length);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:1000"), result.Source);
    }

    [Fact]
    public void Parse_LongestAccepted_IsMaxLength_OneMoreIsRefusedBeforeItArrives()
    {
        var padding = ProxyHeaderParser.MaxLength - 16 - 12 - 3;
        var longest = V2Tcp("192.0.2.10:1", "198.51.100.2:2", Tlv(0x04, new byte[padding]));
        var tooLong = V2Tcp("192.0.2.10:1", "198.51.100.2:2", Tlv(0x04, new byte[padding + 1]));

        Assert.Equal(ProxyHeaderParser.MaxLength, longest.Length);
        Assert.Equal(ProxyHeaderStatus.Proxied, Parse(longest).Status);
        var refused = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(tooLong, 0, 16));
        Assert.Equal(ProxyHeaderStatus.Invalid, refused.Status);
        Assert.Contains($"more than the {ProxyHeaderParser.MaxLength}", refused.Reason);
    }

    [Fact]
    public void Parse_LengthFieldAtItsMaximum_IsRefused()
    {
        var result = Parse([.. Signature, CommandProxy, TcpOverIPv4, 0xFF, 0xFF]);

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
    }

    public static TheoryData<string, byte[]> ValidHeaders => new()
    {
        { "IPv4", V2Tcp("192.0.2.10:56324", "198.51.100.2:443") },
        { "IPv6", V2Tcp("[2001:db8::1]:1", "[2001:db8::2]:2") },
        { "TLVs", V2Tcp("192.0.2.10:1", "198.51.100.2:2", Tlv(0x01, Ascii("h2")), Tlv(0x04, [])) },
        { "LOCAL", V2(CommandLocal, 0x00, []) },
        { "LOCAL with a block", V2(CommandLocal, TcpOverIPv6, new byte[36]) },
    };

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Parse_TruncatedAtEveryByte_NeedsMoreData(string name, byte[] header)
    {
        for (var length = 0; length < header.Length; length++)
        {
            var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(header, 0, length));
            Assert.True(result.Status == ProxyHeaderStatus.NeedMoreData, $"{name}, {length} bytes: {result.Status} {result.Reason}");
        }

        Assert.Equal(header.Length, Parse(header).Length);
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Parse_OneBytePerSegment_SameAsContiguous(string name, byte[] header)
    {
        byte[] bytes = [.. header, 0x16, 0x03];

        Assert.True(Parse(bytes) == ProxyHeaderParser.Parse(OneBytePerSegment(bytes)), name);
    }

    [Fact]
    public void Parse_SignatureWrongAtAnyByte_IsInvalid_AsSoonAsThatByteArrives()
    {
        var header = V2Tcp("192.0.2.10:1", "198.51.100.2:2");
        for (var i = 1; i < Signature.Length; i++)
        {
            var bytes = header.ToArray();
            bytes[i] ^= 0x40;

            var early = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, i + 1));
            Assert.True(early.Status == ProxyHeaderStatus.Invalid, $"byte {i}: {early.Status}");
            Assert.Contains("signature", early.Reason);
        }
    }

    [Theory]
    [InlineData(0x11, "version 1")]
    [InlineData(0x31, "version 3")]
    [InlineData(0x01, "version 0")]
    [InlineData(0x22, "unknown command 0x2")]
    [InlineData(0x2F, "unknown command 0xf")]
    public void Parse_VersionOrCommandUnassigned_IsInvalid(byte versionCommand, string reason)
    {
        var result = Parse(V2(versionCommand, TcpOverIPv4, Addresses(IPEndPoint.Parse("10.0.0.1:1"), IPEndPoint.Parse("10.0.0.2:2"))));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains(reason, result.Reason);
    }

    [Theory]
    [InlineData(0x41, "unknown address family")]   // family 4
    [InlineData(0x13, "unknown address family")]   // transport 3
    [InlineData(0x00, "AF_UNSPEC/UNSPEC carries no TCP client")]
    [InlineData(0x31, "AF_UNIX/STREAM carries no TCP client")]
    [InlineData(0x12, "AF_INET/DGRAM carries no TCP client")]
    [InlineData(0x22, "AF_INET6/DGRAM carries no TCP client")]
    [InlineData(0x10, "AF_INET/UNSPEC carries no TCP client")]
    public void Parse_ProxyForAFamilyWithoutATcpClient_IsInvalid(byte familyTransport, string reason)
    {
        var result = Parse(V2(CommandProxy, familyTransport, new byte[216]));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains(reason, result.Reason);
    }

    [Theory]
    [InlineData(TcpOverIPv4, 0)]
    [InlineData(TcpOverIPv4, 11)]
    [InlineData(TcpOverIPv6, 12)]
    [InlineData(TcpOverIPv6, 35)]
    public void Parse_AddressBlockShorterThanTheFamilyNeeds_IsInvalid(byte familyTransport, int blockLength)
    {
        var result = Parse(V2(CommandProxy, familyTransport, new byte[blockLength]));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains("shorter", result.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0x00, 0x05, 1, 2, 3, 4 }, "runs past the end")]   // declares 5, has 4
    [InlineData(new byte[] { 0x04, 0xFF, 0xFF }, "runs past the end")]
    [InlineData(new byte[] { 0x04, 0x00, 0x00, 0x01 }, "too few for a TLV header")]
    [InlineData(new byte[] { 0x04, 0x00, 0x00, 0x01, 0x00 }, "too few for a TLV header")]
    public void Parse_TlvFramingThatDoesNotFit_IsInvalid(byte[] tlvs, string reason)
    {
        var result = Parse(V2Tcp("192.0.2.10:1", "198.51.100.2:2", tlvs));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains(reason, result.Reason);
    }
}
