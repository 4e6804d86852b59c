using System.Buffers;
using System.Security.Authentication;
using Portcullis.Proxy.Tls;
using static Portcullis.Tests.Tls.ClientHelloBytes;

namespace Portcullis.Tests.Tls;

/// <summary>
/// The ClientHello ALPN scan that tells a tls-alpn-01 validation (RFC 8737 §3: ALPN "acme-tls/1"
/// only) from a normal client, on ClientHellos OpenSSL really sends and on hand-built broken ones.
/// </summary>
public sealed class ClientHelloAlpnTests
{
    private const string Host = "sso.example.com";
    private const SslProtocols Tls12And13 = SslProtocols.Tls12 | SslProtocols.Tls13;

    private static ClientHelloAlpnScan Scan(byte[] bytes, string protocol = "acme-tls/1") =>
        ClientHelloAlpn.Scan(new ReadOnlySequence<byte>(bytes), Ascii(protocol));

    /// <summary>"acme-tls/1" alone, "h2,http/1.1", or "" for no ALPN extension; TLS 1.2 only or 1.2 and 1.3.</summary>
    private static Task<byte[]> RealHello(string alpn, bool tls12Only = false) =>
        ClientHelloCapture.ClientHello(Host, tls12Only ? SslProtocols.Tls12 : Tls12And13, alpn.Length == 0 ? [] : alpn.Split(','));

    [Fact]
    public async Task Scan_RealHelloOfferingOnlyAcmeTls_Offered()
    {
        var hello = await RealHello("acme-tls/1");

        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "h2"));
    }

    [Fact]
    public async Task Scan_RealHelloOfferingH2AndHttp11_OffersThoseButNotAcmeTls()
    {
        var hello = await RealHello("h2,http/1.1");

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello, "h2"));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello, "http/1.1"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "http/1"));
    }

    [Fact]
    public async Task Scan_RealHelloWithoutAlpn_NotOffered()
    {
        var hello = await RealHello("");

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "h2"));
    }

    [Fact]
    public async Task Scan_RealTls12OnlyHello_ReadsItsAlpn()
    {
        var acme = await RealHello("acme-tls/1", tls12Only: true);
        var browser = await RealHello("h2,http/1.1", tls12Only: true);

        // legacy_version 0x0303 and no supported_versions extension (43) offering TLS 1.3: a TLS 1.2
        // hello, unlike the default one.
        Assert.Equal([0x03, 0x03], acme[9..11]);
        Assert.DoesNotContain(0x0304, SupportedVersions(acme));
        Assert.Contains(0x0304, SupportedVersions(await RealHello("acme-tls/1")));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(acme, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(browser, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(browser, "h2"));
    }

    [Theory]
    [InlineData("acme-tls/1", false)]
    [InlineData("h2,http/1.1", false)]
    [InlineData("", false)]
    [InlineData("acme-tls/1", true)]
    public async Task Scan_EveryProperPrefixOfARealHello_NeedMoreData(string alpn, bool tls12Only)
    {
        var hello = await RealHello(alpn, tls12Only);

        for (var length = 0; length < hello.Length; length++)
        {
            Assert.True(ClientHelloAlpnScan.NeedMoreData == Scan(hello[..length]), $"prefix of {length} of {hello.Length} bytes");
        }
    }

    [Theory]
    [InlineData("acme-tls/1", false)]
    [InlineData("h2,http/1.1", false)]
    [InlineData("acme-tls/1", true)]
    public async Task Scan_RealHelloInOneByteSegments_SameAsContiguous(string alpn, bool tls12Only)
    {
        var hello = await RealHello(alpn, tls12Only);

        foreach (var protocol in new[] { "acme-tls/1", "h2" })
        {
            var contiguous = Scan(hello, protocol);
            Assert.Equal(contiguous, ClientHelloAlpn.Scan(Segments(hello, 1), Ascii(protocol)));
            Assert.Equal(contiguous, ClientHelloAlpn.Scan(Segments(hello, 7), Ascii(protocol)));
        }
    }

    [Fact]
    public async Task Scan_RealHelloFollowedByMoreBytes_SameAnswer()
    {
        var acme = await RealHello("acme-tls/1");
        var browser = await RealHello("h2,http/1.1");

        // A second record, and garbage: the scan reads the first record only.
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan([.. acme, .. browser]));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan([.. acme, .. new byte[ClientHelloAlpn.MaxLength]]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([.. browser, .. acme]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([.. browser, 0xFF]));
    }

    [Fact]
    public async Task Scan_RealHelloSplitOverTwoRecords_NotOffered()
    {
        // The same handshake message, fragmented into two records (RFC 8446 §5.1 allows it): the
        // first record cuts off its extensions, and the scan reads no further.
        var hello = await RealHello("acme-tls/1");
        var message = hello[5..];
        var split = message.Length / 2;

        var fragmented = Scan([.. Record(message[..split]), .. Record(message[split..])]);

        Assert.Equal(ClientHelloAlpnScan.NotOffered, fragmented);
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Record(message[..split])));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: sso.example.com\r\n\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.2 56324 443\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    public void Scan_PlainText_NotOfferedFromTheFirstByte(string text)
    {
        var bytes = Ascii(text);

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(bytes[..1]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(bytes));
    }

    [Fact]
    public void Scan_ProxyV2SignatureOrSslV2Hello_NotOfferedFromTheFirstByte()
    {
        byte[] proxyV2 = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C];
        // An SSLv2-format CLIENT-HELLO (RFC 6101 appendix E.2): two-byte length with the high bit set.
        byte[] sslV2 = [0x80, 0x2E, 0x01, 0x03, 0x01, 0x00, 0x15];

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(proxyV2[..1]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(proxyV2));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(sslV2[..1]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(sslV2));
    }

    [Fact]
    public void Scan_OtherRecordTypeOrVersion_NotOfferedAsSoonAsSeen()
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([23, 0x03, 0x03]));   // application_data
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([21, 0x03, 0x03]));   // alert
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([22, 0x02]));         // not 0x03xx
        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan([22, 0x03, 0x01, 0x02]));
    }

    [Fact]
    public void Scan_EmptyOrPartialHeader_NeedMoreData()
    {
        var hello = Hello(Alpn("acme-tls/1"));

        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, ClientHelloAlpn.Scan(ReadOnlySequence<byte>.Empty, Ascii("acme-tls/1")));
        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan(hello[..1]));
        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan(hello[..8]));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello));
    }

    [Fact]
    public void Scan_RecordLongerThan2To14_NotOffered()
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([22, 0x03, 0x01, 0x40, 0x01]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([22, 0x03, 0x01, 0xFF, 0xFF, 0x01, 0x00, 0xFF, 0xFB]));
        // 2^14 itself is allowed: a ClientHello that large is waited for.
        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan([22, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3F, 0xFC]));
    }

    [Fact]
    public void Scan_LargestClientHello_OfferedAtMaxLength()
    {
        // Padding (RFC 7685) fills the record to exactly 2^14 bytes.
        var small = Hello(Alpn("acme-tls/1"));
        var hello = Hello(Alpn("acme-tls/1"), Extension(21, new byte[ClientHelloAlpn.MaxLength - small.Length - 4]));

        Assert.Equal(ClientHelloAlpn.MaxLength, hello.Length);
        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan(hello[..^1]));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello));
    }

    [Fact]
    public void Scan_HandshakeNotClientHello_NotOffered()
    {
        var serverHello = Record(Handshake(2, Body(Vector16(Alpn("acme-tls/1")))));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(serverHello[..6]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(serverHello));
    }

    [Fact]
    public void Scan_HandBuiltHello_OfferedOnlyForAnExactName()
    {
        var hello = Hello(ServerName(Host), Alpn("h2", "acme-tls/1"));

        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello, "acme-tls/1"));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(hello, "h2"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "acme-tls/"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, "ACME-TLS/1"));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello, ""));
    }

    [Theory]
    [InlineData("acme-tls/10")]
    [InlineData("xacme-tls/1")]
    [InlineData("acme-tls/1 ")]
    public void Scan_AcmeTlsOnlyWithinALongerName_NotOffered(string name)
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(Alpn(name))));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(Alpn("h2", name, "http/1.1"))));
    }

    [Fact]
    public void Scan_AcmeTlsInAnotherExtension_NotOffered()
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(ServerName("acme-tls/1"))));
        // The bytes of an ALPN extension, but under another type (RFC 8446 §4.2: 17 is unassigned).
        var alpnData = Alpn("acme-tls/1")[4..];
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(Extension(17, alpnData), Alpn("h2"))));
    }

    [Fact]
    public void Scan_AlpnListLengthOverrunningTheExtension_NotOffered()
    {
        // The list says 13 bytes; 11 follow ("\x0Aacme-tls/1").
        var alpn = Extension(AlpnType, [0x00, 0x0D, .. Vector8(Ascii("acme-tls/1"))]);

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(alpn, ServerName(Host))));
    }

    [Fact]
    public void Scan_AlpnListShorterThanTheExtension_NotOffered()
    {
        var alpn = Extension(AlpnType, [.. Vector16(Vector8(Ascii("acme-tls/1"))), 0x00]);

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(alpn)));
    }

    [Fact]
    public void Scan_ProtocolNameOverrunningTheList_NotOffered()
    {
        var alpn = Extension(AlpnType, Vector16([.. Vector8(Ascii("acme-tls/1")), 0x05, (byte)'h', (byte)'2']));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(alpn)));
    }

    [Fact]
    public void Scan_ZeroLengthProtocolName_NotOffered()
    {
        var alpn = Extension(AlpnType, Vector16([.. Vector8(Ascii("acme-tls/1")), 0x00]));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(alpn)));
    }

    [Fact]
    public void Scan_EmptyAlpnList_NotOffered()
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(Extension(AlpnType, Vector16([])))));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Hello(Extension(AlpnType, []))));
    }

    [Fact]
    public void Scan_ExtensionsLengthOverrunningTheMessage_NotOffered()
    {
        var extensions = Alpn("acme-tls/1");
        var hello = Record(Handshake(1, Body([0x00, (byte)(extensions.Length + 1), .. extensions])));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([.. hello, 0x00]));
    }

    [Fact]
    public void Scan_BytesAfterTheExtensions_NotOffered()
    {
        // The extensions field holds only server_name; an ALPN extension follows it, outside.
        var outside = Record(Handshake(1, Body([.. Vector16(ServerName(Host)), .. Alpn("acme-tls/1")])));
        var oneByte = Record(Handshake(1, Body([.. Vector16(Alpn("acme-tls/1")), 0x00])));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(outside));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(oneByte));
    }

    [Fact]
    public void Scan_ExtensionOverrunningTheExtensions_NotOffered()
    {
        var sni = ServerName(Host);
        sni[3]++; // its extension_data length, one more than there is
        var hello = Record(Handshake(1, Body(Vector16([.. Alpn("acme-tls/1"), .. sni]))));

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello));
    }

    [Fact]
    public void Scan_HandshakeLongerThanItsRecord_NotOffered()
    {
        var message = Handshake(1, Body(Vector16(Alpn("acme-tls/1"))));

        // The record announces one byte less than the message: the rest would be in a second record.
        byte[] hello = [22, 0x03, 0x01, (byte)((message.Length - 1) >> 8), (byte)(message.Length - 1), .. message];

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello[..9]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello));
    }

    [Fact]
    public void Scan_RecordShorterThanAHandshakeHeader_NotOffered()
    {
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([22, 0x03, 0x01, 0x00, 0x00]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan([22, 0x03, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00]));
    }

    [Fact]
    public void Scan_SessionIdLongerThan32_NotOffered()
    {
        var body = Body(Vector16(Alpn("acme-tls/1")));
        body[34] = 33; // legacy_session_id's length, after legacy_version and random
        byte[] longer = [.. body[..35], 0x00, .. body[35..]];

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Record(Handshake(1, longer))));
    }

    [Fact]
    public void Scan_OddCipherSuitesOrNoCompressionMethod_NotOffered()
    {
        byte[] oddSuites = [0x03, 0x03, .. new byte[32], 0x00, .. Vector16([0x13, 0x01, 0x13]), .. Vector8([0]), .. Vector16(Alpn("acme-tls/1"))];
        byte[] noMethod = [0x03, 0x03, .. new byte[32], 0x00, .. Vector16([0x13, 0x01]), .. Vector8([]), .. Vector16(Alpn("acme-tls/1"))];
        byte[] control = [0x03, 0x03, .. new byte[32], 0x00, .. Vector16([0x13, 0x01]), .. Vector8([0]), .. Vector16(Alpn("acme-tls/1"))];

        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Record(Handshake(1, oddSuites))));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(Record(Handshake(1, noMethod))));
        Assert.Equal(ClientHelloAlpnScan.Offered, Scan(Record(Handshake(1, control))));
    }

    [Fact]
    public void Scan_Tls12HelloWithoutExtensions_NotOfferedOnceWhole()
    {
        var hello = Record(Handshake(1, Body([])));

        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan(hello[..^1]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello));
    }

    [Fact]
    public void Scan_MalformedAfterTheAlpnExtension_NotOfferedAlreadyFromThePrefix()
    {
        // The answer on a prefix is final: a framing error seen early is not waited out.
        var sni = ServerName(Host);
        sni[3] = 0xFF;
        var hello = Record(Handshake(1, Body(Vector16([.. Alpn("acme-tls/1"), .. sni, .. new byte[64]]))));
        var upToTheBadLength = hello.Length - 64 - sni.Length + 4;

        Assert.Equal(ClientHelloAlpnScan.NeedMoreData, Scan(hello[..(upToTheBadLength - 1)]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello[..upToTheBadLength]));
        Assert.Equal(ClientHelloAlpnScan.NotOffered, Scan(hello));
    }

    [Fact]
    public async Task Scan_AnyPath_AllocatesNothing()
    {
        var real = await RealHello("acme-tls/1");
        byte[][] inputs = [real, real[..100], Ascii("GET / HTTP/1.1\r\n"), Hello(Alpn("acme-tls/10")), Hello(Extension(AlpnType, []))];
        var segmented = inputs.Select(input => Segments(input, 3)).ToArray();
        var protocol = Ascii("acme-tls/1");
        foreach (var input in segmented)
        {
            ClientHelloAlpn.Scan(input, protocol);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var input in segmented)
        {
            ClientHelloAlpn.Scan(input, protocol);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The versions in the supported_versions extension (43, RFC 8446 §4.2.1), empty without it; found by a plain byte search.</summary>
    private static IEnumerable<int> SupportedVersions(byte[] hello)
    {
        for (var i = 0; i + 5 < hello.Length; i++)
        {
            if (hello[i] == 0 && hello[i + 1] == 43 && hello[i + 4] == hello[i + 3] - 1 && hello[i + 4] % 2 == 0 && hello[i + 4] > 0
                && i + 5 + hello[i + 4] <= hello.Length)
            {
                return Enumerable.Range(0, hello[i + 4] / 2).Select(k => (hello[i + 5 + 2 * k] << 8) | hello[i + 6 + 2 * k]).ToArray();
            }
        }

        return [];
    }
}
