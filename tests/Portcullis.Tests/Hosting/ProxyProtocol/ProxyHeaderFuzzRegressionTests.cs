using System.Buffers;
using Portcullis.Proxy.Hosting.ProxyProtocol;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>Inputs fuzz/run.sh proxyheader found, kept as they were saved (fuzz/README.md lists them).</summary>
public sealed class ProxyHeaderFuzzRegressionTests
{
    /// <summary>crash-937bb1fa…, after 22,780 executions: "PROXY TCP4? …" was read as TCP4 (only the first four bytes of the field were compared).</summary>
    [Fact]
    public void Parse_FamilyFieldLongerThanTcp4_IsInvalid()
    {
        byte[] saved = [0x50, 0x52, 0x4F, 0x58, 0x59, 0x20, 0x54, 0x43, 0x50, 0x34, 0x3F, 0x20, 0x31, 0x39, 0x32, 0x2E, 0x30, 0x2E, 0x32, 0x2E, 0x31, 0x30, 0x20, 0x31, 0x39, 0x38, 0x2E, 0x35, 0x31, 0x2E, 0x31, 0x30, 0x30, 0x2E, 0x32, 0x20, 0x35, 0x36, 0x33, 0x32, 0x34, 0x20, 0x34, 0x34, 0x33, 0x0D, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00];

        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(saved));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains("unknown protocol 'TCP4?'", result.Reason);
    }

    [Theory]
    [InlineData("PROXY TCP4x 192.0.2.10 198.51.100.2 1 2\r\n")]
    [InlineData("PROXY TCP66 2001:db8::1 2001:db8::2 1 2\r\n")]
    [InlineData("PROXY TCP 192.0.2.10 198.51.100.2 1 2\r\n")]
    public void Parse_FamilyFieldNotExactlyTcp4OrTcp6_IsInvalid(string line)
    {
        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(line)));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains("unknown protocol", result.Reason);
    }
}
