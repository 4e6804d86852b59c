using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.EndToEnd.Security;

namespace Portcullis.EndToEnd.Tls;

/// <summary>
/// ALPN (RFC 7301): a client that offers only "http/1.0" (curl --http1.0, monitoring probes, old
/// tools) is served, as nginx serves it, instead of being refused with no_application_protocol;
/// a client that offers more still gets the best protocol both speak.
/// </summary>
public sealed class AlpnTests
{
    [Fact]
    public async Task Alpn_ClientOffersOnlyHttp10_NegotiatedAndServedWithHsts()
    {
        await using var fixture = await HostileProxy.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Proxy.HttpsUrl.Host, fixture.Proxy.HttpsPort);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var tls = new SslStream(tcp.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [new SslApplicationProtocol("http/1.0")],
        }, cancel.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /old HTTP/1.0\r\nHost: {fixture.Host}\r\n\r\n"), cancel.Token);
        var response = await RawHttp.ReadResponseAsync(tls, cancel.Token);
        var line = await fixture.Proxy.AccessLog.WaitForLineAsync(l => l.Contains("GET /old "));

        Assert.Equal("http/1.0", tls.NegotiatedApplicationProtocol.ToString());
        Assert.Equal(200, response.Status);
        Assert.Equal(["max-age=63072000"], response.All("Strict-Transport-Security"));
        Assert.Equal(["/old"], fixture.Upstream.Requests.Select(r => r.Path));
        Assert.Contains("\"GET /old HTTP/1.0\" 200 ", line);
    }

    [Theory]
    [InlineData(new[] { "http/1.0", "http/1.1" }, "http/1.1")]
    [InlineData(new[] { "http/1.0", "h2" }, "h2")]
    public async Task Alpn_ClientOffersHttp10AndMore_GetsTheNewerProtocol(string[] offered, string expected)
    {
        await using var fixture = await HostileProxy.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Proxy.HttpsUrl.Host, fixture.Proxy.HttpsPort);
        await using var tls = new SslStream(tcp.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = offered.Select(p => new SslApplicationProtocol(p)).ToList(),
        });

        Assert.Equal(expected, tls.NegotiatedApplicationProtocol.ToString());
    }
}
