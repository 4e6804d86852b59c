using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// listen.proxy_protocol: raw TCP clients send a PROXY protocol header (proxy-protocol.txt,
/// v1 and v2) as a load balancer in TCP mode would, then TLS or plain HTTP. The test client is
/// 127.0.0.1, the trusted "load balancer"; the clients it carries are documentation addresses.
/// </summary>
public sealed class ProxyProtocolTests
{
    private const string Trusted = "listen:\n  http: [\"127.0.0.1:0\"]\n  https: [\"127.0.0.1:0\"]\n  proxy_protocol: true\ntrusted_proxies: [127.0.0.1/32]\n";

    [Fact]
    public async Task V1HeaderThenTls_UpstreamSeesTheCarriedClient_ItsOwnForwardedHeadersDropped()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);

        var response = await SendAsync(proxy.HttpsUrl, V1("TCP4 203.0.113.7 192.0.2.1 40000 443"),
            $"GET /v1 HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("203.0.113.7", received.Single("X-Forwarded-For"));
        Assert.Equal("https", received.Single("X-Forwarded-Proto"));
        Assert.Null(received.Single("X-Real-IP"));
        var line = await proxy.AccessLog.WaitForLineAsync(l => l.Contains("/v1"));
        Assert.StartsWith("203.0.113.7 - - [", line);
    }

    [Fact]
    public async Task V2Ipv6HeaderThenTls_UpstreamSeesTheIpv6Client()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);

        var response = await SendAsync(proxy.HttpsUrl, V2(IPEndPoint.Parse("[2001:db8::7]:40000"), IPEndPoint.Parse("[2001:db8::1]:443")),
            $"GET /v2 HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("2001:db8::7", Assert.Single(upstream.Requests).Single("X-Forwarded-For"));
        var line = await proxy.AccessLog.WaitForLineAsync(l => l.Contains("/v2"));
        Assert.StartsWith("2001:db8::7 - - [", line);
    }

    [Fact]
    public async Task V2HeaderWithTlvsOnTheHttpListener_UpstreamSeesTheCarriedClient()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream, "redirect_http: false");
        // PP2_TYPE_AUTHORITY and a NOOP, as a sender may add (section 2.2.2, 2.2.4).
        byte[] tlvs = [0x02, 0x00, 0x09, .. "localhost"u8, 0x04, 0x00, 0x00];

        var response = await SendAsync(proxy.HttpUrl, V2(IPEndPoint.Parse("198.51.100.20:5000"), IPEndPoint.Parse("192.0.2.1:80"), tlvs),
            $"GET /plain HTTP/1.1\r\nHost: localhost:{proxy.HttpUrl.Port}\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("198.51.100.20", received.Single("X-Forwarded-For"));
        Assert.Equal("http", received.Single("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task V2HeaderBeforeHttp2_EveryStreamCarriesTheClient()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);
        var header = V2(IPEndPoint.Parse("203.0.113.50:1234"), IPEndPoint.Parse("192.0.2.1:443"));
        using var client = proxy.CreateClient(HttpVersion.Version20, handler => handler.ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
            await socket.SendAsync(header, token);
            return new NetworkStream(socket, ownsSocket: true);
        });

        using var first = await client.GetAsync(proxy.Https("localhost", "/h2/1"));
        using var second = await client.GetAsync(proxy.Https("localhost", "/h2/2"));

        Assert.Equal(HttpVersion.Version20, first.Version);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(["203.0.113.50", "203.0.113.50"], upstream.Requests.Select(r => r.Single("X-Forwarded-For")));
    }

    [Theory]
    [InlineData("v2 LOCAL")]
    [InlineData("v1 UNKNOWN")]
    public async Task LocalOrUnknown_TheLoadBalancersOwnConnection_KeepsTheRealPeer(string kind)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);
        byte[] header = kind == "v1 UNKNOWN" ? V1("UNKNOWN") : [.. Signature, 0x20, 0x00, 0x00, 0x00];

        var response = await SendAsync(proxy.HttpsUrl, header, $"GET /health HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("127.0.0.1", Assert.Single(upstream.Requests).Single("X-Forwarded-For"));
    }

    [Fact]
    public async Task CarriedClientPastTheConnectionCap_Closed_OtherCarriedClientsServed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted + "limits: { max_connections_per_client: 2, per_client_cap_above_connections: 0 }\n", upstream);
        var greedy = V2(IPEndPoint.Parse("203.0.113.66:1"), IPEndPoint.Parse("192.0.2.1:443"));
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (tcp, stream) = await ConnectAsync(proxy.HttpsUrl, greedy);
                held.Add(tcp);
                Assert.Equal(200, (await RequestAsync(stream, $"GET /held HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n")).Status);
            }

            // The load balancer's own address (127.0.0.1) is trusted and exempt; the cap is on the client it carries.
            await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(proxy.HttpsUrl, greedy));
            var other = await SendAsync(proxy.HttpsUrl, V2(IPEndPoint.Parse("203.0.113.67:1"), IPEndPoint.Parse("192.0.2.1:443")),
                $"GET /other HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n");

            Assert.Equal(200, other.Status);
            Assert.Contains(proxy.Log.Lines, line => line.Contains("client 203.0.113.66 holds 2 connections"));
        }
        finally
        {
            held.ForEach(tcp => tcp.Dispose());
        }
    }

    [Fact]
    public async Task UntrustedPeer_ClosedBeforeAnythingIsRead_WithALogLine_TrustedPeerServed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync("listen:\n  http: [\"127.0.0.1:0\"]\n  https: [\"127.0.0.1:0\"]\n  proxy_protocol: true\ntrusted_proxies: [127.0.0.2/32]\n", upstream);
        var header = V1("TCP4 203.0.113.7 192.0.2.1 40000 443");

        var refused = await ExchangeAsync(proxy.HttpsUrl, header, from: IPAddress.Loopback);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection"));
        var served = await SendAsync(proxy.HttpsUrl, header, $"GET /trusted HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n", from: IPAddress.Parse("127.0.0.2"));

        Assert.Empty(refused);
        Assert.StartsWith("Warning:", line);
        Assert.Contains("connection from 127.0.0.1:", line);
        Assert.Contains("not in trusted_proxies", line);
        Assert.Equal(200, served.Status);
        Assert.Equal("203.0.113.7", Assert.Single(upstream.Requests).Single("X-Forwarded-For"));
    }

    [Fact]
    public async Task UntrustedPeer_ManyConnections_OneWarningLineNotOneEach()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync("listen:\n  http: [\"127.0.0.1:0\"]\n  https: [\"127.0.0.1:0\"]\n  proxy_protocol: true\ntrusted_proxies: [127.0.0.2/32]\n", upstream);
        var header = V1("TCP4 203.0.113.7 192.0.2.1 40000 443");

        for (var i = 0; i < 25; i++)
        {
            Assert.Empty(await ExchangeAsync(proxy.HttpsUrl, header, from: IPAddress.Loopback));
        }

        // Each refusal is logged (or counted) before its connection is closed, so all 25 are decided here.
        Assert.Single(proxy.Log.Lines, line => line.Contains("not in trusted_proxies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_TrustedProxiesChanged_AppliesToTheNextConnection_ProxyProtocolChangeNeedsARestart()
    {
        await using var upstream = await TestUpstream.StartAsync();
        const string Before = "listen:\n  http: [\"127.0.0.1:0\"]\n  https: [\"127.0.0.1:0\"]\n  proxy_protocol: true\ntrusted_proxies: [127.0.0.2/32]\ndata_dir: data\n";
        await using var proxy = await PortcullisInstance.StartAsync(Before + Yaml.Site(upstream.Url));
        var header = V1("TCP4 203.0.113.9 192.0.2.1 1 443");
        var request = $"GET /after HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n";
        Assert.Empty(await ExchangeAsync(proxy.HttpsUrl, header));

        Assert.Empty(await proxy.RewriteConfigAsync(Before.Replace("127.0.0.2/32", "127.0.0.1/32") + Yaml.Site(upstream.Url)));
        var served = await SendAsync(proxy.HttpsUrl, header, request);
        Assert.Empty(await proxy.RewriteConfigAsync(Before.Replace("127.0.0.2/32", "127.0.0.1/32").Replace("proxy_protocol: true", "proxy_protocol: false") + Yaml.Site(upstream.Url)));
        var stillExpected = await SendAsync(proxy.HttpsUrl, header, request);

        Assert.Equal(200, served.Status);
        Assert.Equal(200, stillExpected.Status);
        Assert.Equal(["203.0.113.9", "203.0.113.9"], upstream.Requests.Select(r => r.Single("X-Forwarded-For")));
        Assert.Contains(proxy.Log.Lines, l => l.StartsWith("Warning:") && l.Contains("listen.proxy_protocol changed and take effect after a restart"));
    }

    [Fact]
    public async Task SlowHeader_ClosedAfterClientHeaderTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted + "timeouts: { client_header: 1s }\n", upstream);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, proxy.HttpsPort);
        var stream = tcp.GetStream();
        var watch = Stopwatch.StartNew();

        await stream.WriteAsync("PROXY TCP4 203.0.113.7 "u8.ToArray());
        var answer = await ReadToCloseAsync(stream, TimeSpan.FromSeconds(10));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Empty(answer);
        Assert.Contains("no complete PROXY protocol header within 1s", await proxy.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection")));
        Assert.Empty(upstream.Requests);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "v1 octet out of range", V1("TCP4 203.0.113.300 192.0.2.1 40000 443"), "not an IPv4 address" },
        { "v1 bare LF", "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\n"u8.ToArray(), "bare LF" },
        { "v1 no CRLF in 107 bytes", Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('9', 120)), "no CRLF within the first 107 bytes" },
        { "v2 version 3", [.. Signature, 0x31, 0x11, 0x00, 0x0C, .. new byte[12]], "version 3" },
        { "v2 length past the bound", [.. Signature, 0x21, 0x11, 0xFF, 0xFF], "more than the 4096" },
        { "v2 TLV past the end", [.. Signature, 0x21, 0x11, 0x00, 0x0F, .. new byte[12], 0x04, 0x00, 0x09], "runs past the end" },
        { "TLS without a header", [0x16, 0x03, 0x01, 0x00, 0xF0, 0x01], "TLS handshake" },
        { "HTTP without a header", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), "plain text" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedHeader_Closed_WithTheReasonLogged_OtherClientsServed(string name, byte[] bytes, string reason)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);

        var answer = await ExchangeAsync(proxy.HttpsUrl, bytes);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection"));
        var served = await SendAsync(proxy.HttpsUrl, V1("TCP4 203.0.113.8 192.0.2.1 1 443"), $"GET /next HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n");

        Assert.True(answer.Length == 0, $"{name}: answered {answer.Length} bytes");
        Assert.Contains(reason, line);
        Assert.Equal(200, served.Status);
        Assert.Equal(["/next"], upstream.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task TruncatedHeader_ConnectionEndsInsideIt_ClosedWithALogLine()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);
        var header = V2(IPEndPoint.Parse("203.0.113.7:1"), IPEndPoint.Parse("192.0.2.1:443"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, proxy.HttpsPort);

        var stream = tcp.GetStream();

        await stream.WriteAsync(header.AsMemory(0, 20));
        tcp.Client.Shutdown(SocketShutdown.Send);
        var answer = await ReadToCloseAsync(stream, TimeSpan.FromSeconds(10));

        Assert.Empty(answer);
        Assert.Contains("ended after 20 byte(s), inside the PROXY protocol header", await proxy.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection")));
    }

    [Fact]
    public async Task ConnectedAndClosedWithoutAByte_ATcpHealthCheck_LogsNoWarning()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);
        using (var check = new TcpClient())
        {
            await check.ConnectAsync(IPAddress.Loopback, proxy.HttpsPort);
            var stream = check.GetStream();
            check.Client.Shutdown(SocketShutdown.Send);
            Assert.Empty(await ReadToCloseAsync(stream, TimeSpan.FromSeconds(10)));
        }

        // A refused connection after it: its line is the first PROXY protocol line.
        await ExchangeAsync(proxy.HttpsUrl, "GET /"u8.ToArray());
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection"));

        Assert.Contains("plain text", line);
        Assert.Single(proxy.Log.Lines, l => l.Contains("PROXY protocol: connection"));
    }

    [Fact]
    public async Task Startup_SaysThePROXYProtocolIsExpected()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await StartAsync(Trusted, upstream);

        Assert.Contains(proxy.Log.Lines, l => l.Contains("PROXY protocol (v1 and v2) expected on every listener"));
    }

    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static Task<PortcullisInstance> StartAsync(string preamble, TestUpstream upstream, string siteExtra = "") =>
        PortcullisInstance.StartAsync(preamble + "data_dir: data\n" + Yaml.Site(upstream.Url, siteExtra: siteExtra));

    private static byte[] V1(string fields) => Encoding.ASCII.GetBytes($"PROXY {fields}\r\n");

    /// <summary>A v2 PROXY header for TCP (section 2.2): IPv4 or IPv6 by the source's family.</summary>
    private static byte[] V2(IPEndPoint source, IPEndPoint destination, byte[]? tlvs = null)
    {
        var ports = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(ports, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(ports.AsSpan(2), (ushort)destination.Port);
        byte[] block = [.. source.Address.GetAddressBytes(), .. destination.Address.GetAddressBytes(), .. ports, .. tlvs ?? []];
        var family = source.AddressFamily == AddressFamily.InterNetwork ? (byte)0x11 : (byte)0x21;
        return [.. Signature, 0x21, family, (byte)(block.Length >> 8), (byte)block.Length, .. block];
    }

    /// <summary>Connects (from <paramref name="from"/>), sends the header, then TLS or nothing by the URL's scheme.</summary>
    private static async Task<(TcpClient Tcp, Stream Stream)> ConnectAsync(Uri server, byte[] header, IPAddress? from = null)
    {
        var tcp = new TcpClient(new IPEndPoint(from ?? IPAddress.Loopback, 0));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await tcp.ConnectAsync(IPAddress.Loopback, server.Port, cancel.Token);
            await tcp.GetStream().WriteAsync(header, cancel.Token);
            return (tcp, await RawHttp.OpenAsync(tcp, server, "localhost", cancel.Token));
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static async Task<RawResponse> RequestAsync(Stream stream, string request)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancel.Token);
        return await RawHttp.ReadResponseAsync(stream, cancel.Token);
    }

    private static async Task<RawResponse> SendAsync(Uri server, byte[] header, string request, IPAddress? from = null)
    {
        var (tcp, stream) = await ConnectAsync(server, header, from);
        using (tcp)
        {
            return await RequestAsync(stream, request);
        }
    }

    /// <summary>Sends the bytes on a plain TCP connection and returns what arrives until the server closes it.</summary>
    private static async Task<byte[]> ExchangeAsync(Uri server, byte[] bytes, IPAddress? from = null)
    {
        using var tcp = new TcpClient(new IPEndPoint(from ?? IPAddress.Loopback, 0));
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        try
        {
            await tcp.GetStream().WriteAsync(bytes);
        }
        catch (IOException)
        {
            // Closed before the bytes were all taken: that is the answer.
        }

        return await ReadToCloseAsync(tcp.GetStream(), TimeSpan.FromSeconds(10));
    }

    /// <summary>Reads until the server closes the connection (an event, not a poll).</summary>
    private static async Task<byte[]> ReadToCloseAsync(Stream stream, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cancel.Token);
        }
        catch (IOException)
        {
        }

        return buffer.ToArray();
    }
}
