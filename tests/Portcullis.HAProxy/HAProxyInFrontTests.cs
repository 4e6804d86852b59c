using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using Portcullis.HAProxy.Infrastructure;

namespace Portcullis.HAProxy;

/// <summary>
/// Debian's HAProxy in TCP mode in front of Portcullis (listen.proxy_protocol), the way a load
/// balancer passes TLS through: the client connects to HAProxy from 127.0.0.2, HAProxy connects
/// to Portcullis from 127.0.0.1 (the one trusted proxy) and prepends the PROXY header.
/// </summary>
public sealed class HAProxyInFrontTests
{
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.2");

    /// <remarks>
    /// The health checks (every 100 ms) send the header too: v2 LOCAL (seen on the wire:
    /// signature, 0x20, family 0, length 0) or v1 without a client; none may be refused.
    /// </remarks>
    [Theory]
    [InlineData("send-proxy-v2 check inter 100ms")]
    [InlineData("send-proxy check inter 100ms")]
    public async Task ClientThroughHAProxy_UpstreamAndAccessLogSeeTheClient(string serverOptions)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var portcullis = await StartPortcullisAsync(upstream);
        await using var haproxy = await HAProxyProcess.StartAsync(new IPEndPoint(IPAddress.Loopback, portcullis.HttpsPort), serverOptions);
        using var client = ClientFrom(Client, haproxy.Endpoint);

        var responses = new List<HttpResponseMessage>();
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{haproxy.Endpoint.Port}/through/{version}")
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            // A client's own claim: dropped, the carried address is not a trusted proxy.
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
            responses.Add(await client.SendAsync(request));
        }

        var line = await portcullis.AccessLog.WaitForLineAsync(l => l.Contains("/through/2.0"), TimeSpan.FromSeconds(20));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([("/through/1.1", "127.0.0.2"), ("/through/2.0", "127.0.0.2")], upstream.Requests.Select(r => (r.Path, r.Single("X-Forwarded-For"))));
        Assert.StartsWith("127.0.0.2 - - [", line);
        Assert.DoesNotContain(portcullis.Log.Lines, l => l.Contains("PROXY protocol: connection"));
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task HAProxyWithoutSendProxy_EveryConnectionClosed_WithTheReasonLogged()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var portcullis = await StartPortcullisAsync(upstream);
        await using var haproxy = await HAProxyProcess.StartAsync(new IPEndPoint(IPAddress.Loopback, portcullis.HttpsPort), "");
        using var client = ClientFrom(Client, haproxy.Endpoint);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync($"https://localhost:{haproxy.Endpoint.Port}/no-header"));
        var line = await portcullis.Log.WaitForLineAsync(l => l.Contains("PROXY protocol: connection"), TimeSpan.FromSeconds(20));

        Assert.Contains("connection from 127.0.0.1:", line);
        Assert.Contains("TLS handshake", line);
        Assert.Empty(upstream.Requests);
    }

    private static Task<PortcullisInstance> StartPortcullisAsync(TestUpstream upstream)
    {
        var directory = TempDirectory.Create();
        return PortcullisInstance.StartAsync($"""
            listen:
              http: ["127.0.0.1:0"]
              https: ["127.0.0.1:0"]
              proxy_protocol: true
            trusted_proxies: [127.0.0.1/32]
            data_dir: {directory}/data
            sites:
              - hosts: [localhost]
                routes:
                  - path: /
                    upstream: {upstream.Url}
            """, directory);
    }

    /// <summary>An HttpClient whose connections start at <paramref name="from"/> and go to HAProxy, whatever the URL's host.</summary>
    private static HttpClient ClientFrom(IPAddress from, IPEndPoint haproxy) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(haproxy, token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}
