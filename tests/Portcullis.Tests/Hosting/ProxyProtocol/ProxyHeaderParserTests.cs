using System.Buffers;
using Portcullis.Proxy.Hosting.ProxyProtocol;
using static Portcullis.Tests.Hosting.ProxyProtocol.ProxyHeaderBytes;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>What is not a PROXY protocol header at all, and hostile input in general.</summary>
public sealed class ProxyHeaderParserTests
{
    [Fact]
    public void Parse_Nothing_NeedsMoreData()
    {
        Assert.Equal(ProxyHeaderStatus.NeedMoreData, ProxyHeaderParser.Parse(ReadOnlySequence<byte>.Empty).Status);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }, "TLS handshake")]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' }, "plain text")]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'I', (byte)' ' }, "plain text")] // the HTTP/2 preface
    [InlineData(new byte[] { 0x00 }, "byte 0x00")]
    [InlineData(new byte[] { 0xFF, 0xFE }, "byte 0xff")]
    public void Parse_AConnectionWithoutAHeader_IsInvalidAtTheFirstByte_SayingWhatItIs(byte[] bytes, string reason)
    {
        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains(reason, result.Reason);
    }

    [Fact]
    public void Parse_RandomAndMutatedBytes_NeverThrow_AndAHeaderNeverExceedsItsInput()
    {
        var random = new Random(20261202);
        byte[][] seeds =
        [
            Ascii("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\r\n"),
            Ascii("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n"),
            Ascii("PROXY UNKNOWN\r\n"),
            V2Tcp("192.0.2.10:1", "198.51.100.2:2", Tlv(0x01, Ascii("h2"))),
            V2Tcp("[2001:db8::1]:1", "[2001:db8::2]:2"),
            V2(CommandLocal, 0x00, []),
        ];
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = seeds[i % seeds.Length].ToArray();
            if (i % 7 == 0)
            {
                bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
            }
            else
            {
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }

            var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));

            if (result.Status is ProxyHeaderStatus.Proxied or ProxyHeaderStatus.Local)
            {
                Assert.InRange(result.Length, 1, Math.Min(bytes.Length, ProxyHeaderParser.MaxLength));
                Assert.True(result.Status == ProxyHeaderStatus.Local || result.Source is not null);
            }
            else if (result.Status == ProxyHeaderStatus.Invalid)
            {
                Assert.False(string.IsNullOrEmpty(result.Reason));
            }
        }
    }
}
