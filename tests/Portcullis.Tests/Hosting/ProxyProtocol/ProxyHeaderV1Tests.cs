using System.Buffers;
using System.Net;
using Portcullis.Proxy.Hosting.ProxyProtocol;
using static Portcullis.Tests.Hosting.ProxyProtocol.ProxyHeaderBytes;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>The text header of proxy-protocol.txt section 2.1, as HAProxy's send-proxy writes it.</summary>
public sealed class ProxyHeaderV1Tests
{
    private static ProxyHeaderResult Parse(string text) => ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(Ascii(text)));

    [Fact]
    public void Parse_Tcp4_CarriesSourceAndDestination_LeavesTheRequest()
    {
        const string line = "PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\r\n";

        var result = Parse(line + "GET / HTTP/1.1\r\n");

        Assert.Equal(ProxyHeaderStatus.Proxied, result.Status);
        Assert.Equal(1, result.Version);
        Assert.Equal(line.Length, result.Length);
        Assert.Equal(IPEndPoint.Parse("192.0.2.10:56324"), result.Source);
        Assert.Equal(IPEndPoint.Parse("198.51.100.2:443"), result.Destination);
    }

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::2")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "::1")]
    [InlineData("FFFF:ffff:FFFF:ffff:FFFF:ffff:FFFF:ffff", "fe80::1")]
    [InlineData("::ffff:192.0.2.1", "::ffff:198.51.100.2")]
    public void Parse_Tcp6_CarriesTheIPv6Addresses(string source, string destination)
    {
        var result = Parse($"PROXY TCP6 {source} {destination} 65535 0\r\n");

        Assert.Equal(ProxyHeaderStatus.Proxied, result.Status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(source), 65535), result.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(destination), 0), result.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN 192.0.2.1 198.51.100.2 1 2\r\n")]
    [InlineData("PROXY UNKNOWN anything at all, ignored\r\n")]
    public void Parse_Unknown_IsLocal_KeepsTheRealEndpoints(string line)
    {
        var result = Parse(line + "\x16\x03\x01");

        Assert.Equal(ProxyHeaderStatus.Local, result.Status);
        Assert.Equal(line.Length, result.Length);
        Assert.Null(result.Source);
    }

    [Fact]
    public void Parse_WorstCaseOf107Bytes_IsAccepted_OneMoreIsNot()
    {
        var full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        var longest = $"PROXY UNKNOWN {full} {full} 65535 65535\r\n";
        var tooLong = $"PROXY UNKNOWN {full} {full} 65535 655350\r\n";

        Assert.Equal(107, longest.Length);
        Assert.Equal(ProxyHeaderStatus.Local, Parse(longest).Status);
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(tooLong).Status);
        Assert.Contains("107", Parse(tooLong).Reason);
    }

    [Fact]
    public void Parse_107BytesWithoutCrlf_IsInvalid_NotWaitedFor()
    {
        var result = Parse("PROXY TCP4 " + new string('1', 200));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\r\n")]
    [InlineData("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n")]
    [InlineData("PROXY UNKNOWN\r\n")]
    public void Parse_TruncatedAtEveryByte_NeedsMoreData(string line)
    {
        var bytes = Ascii(line);
        for (var length = 0; length < bytes.Length; length++)
        {
            var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(result.Status == ProxyHeaderStatus.NeedMoreData, $"{length} bytes: {result.Status} {result.Reason}");
        }

        Assert.NotEqual(ProxyHeaderStatus.NeedMoreData, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes)).Status);
    }

    [Fact]
    public void Parse_OneBytePerSegment_SameAsContiguous()
    {
        var bytes = Ascii("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\nGET /");

        var result = ProxyHeaderParser.Parse(OneBytePerSegment(bytes));

        Assert.Equal(ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes)), result);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:1234"), result.Source);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\n", "bare LF")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\rX\n", "CR not followed by LF")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324\n443\r\n", "bare LF")]
    [InlineData("PROXY  TCP4 192.0.2.10 198.51.100.2 56324 443\r\n", "unknown protocol")]
    [InlineData("PROXY TCP4 192.0.2.10  198.51.100.2 56324 443\r\n", "single spaces")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443 \r\n", "single spaces")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324\r\n", "single spaces")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443 80\r\n", "single spaces")]
    [InlineData("PROXY TCP5 192.0.2.10 198.51.100.2 56324 443\r\n", "unknown protocol")]
    [InlineData("PROXY tcp4 192.0.2.10 198.51.100.2 56324 443\r\n", "unknown protocol")]
    [InlineData("PROXY UNKNOWNX\r\n", "unknown protocol")]
    [InlineData("PROXY \r\n", "unknown protocol")]
    [InlineData("PROXY TCP4 192.168.01.1 198.51.100.2 56324 443\r\n", "'192.168.01.1' is not an IPv4")]
    [InlineData("PROXY TCP4 192.168.1.256 198.51.100.2 56324 443\r\n", "not an IPv4")]
    [InlineData("PROXY TCP4 192.168.1 198.51.100.2 56324 443\r\n", "not an IPv4")]
    [InlineData("PROXY TCP4 192.168.1.1.1 198.51.100.2 56324 443\r\n", "not an IPv4")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 198.51.100.2 56324 443\r\n", "not an IPv4")]
    [InlineData("PROXY TCP4 -1.0.0.1 198.51.100.2 56324 443\r\n", "not an IPv4")]
    [InlineData("PROXY TCP4 192.0.2.10 2001:db8::2 56324 443\r\n", "'2001:db8::2' is not an IPv4")]
    [InlineData("PROXY TCP6 192.0.2.10 2001:db8::2 56324 443\r\n", "'192.0.2.10' is not an IPv6")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::2 56324 443\r\n", "not an IPv6")]
    [InlineData("PROXY TCP6 [2001:db8::1] 2001:db8::2 56324 443\r\n", "not an IPv6")]
    [InlineData("PROXY TCP6 2001:db8:::1 2001:db8::2 56324 443\r\n", "not an IPv6")]
    [InlineData("PROXY TCP6 1:2:3:4:5:6:7:8:9 2001:db8::2 56324 443\r\n", "not an IPv6")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 056324 443\r\n", "'056324' is not a port")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 0443\r\n", "'0443' is not a port")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 65536 443\r\n", "not a port")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 +1 443\r\n", "not a port")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 \r\n", "not a port")]
    public void Parse_NotExactlyTheGrammar_IsInvalidWithTheReason(string line, string reason)
    {
        var result = Parse(line);

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains(reason, result.Reason);
    }

    [Fact]
    public void Parse_ControlBytesInTheLine_AreEscapedInTheReason()
    {
        var result = Parse("PROXY TCP4 192.0.2.\x1b[31m 198.51.100.2 1 2\r\n");

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains("\\x1b[31m", result.Reason);
        Assert.DoesNotContain("\x1b", result.Reason);
    }

    [Theory]
    [InlineData("PUT / HTTP/1.1\r\n")]
    [InlineData("PROXZ TCP4")]
    [InlineData("PROXYTCP4 1.2.3.4 1.2.3.4 1 2\r\n")]
    public void Parse_StartsLikeButIsNotAHeader_IsInvalidAtOnce(string text)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, Parse(text).Status);
    }
}
