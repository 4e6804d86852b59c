using System.Net;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Many users behind one NAT address (an office, a school) against one host flooding from its
/// address: limits.max_connections_per_client binds only once all clients together hold more than
/// limits.per_client_cap_above_connections, so the office is served while the server has room and
/// the flood is still capped when it matters, with other addresses served.
/// </summary>
public sealed class SharedAddressTests
{
    [Fact]
    public async Task ThreeHundredConnectionsFromOneAddress_DefaultLimits_AllAccepted()
    {
        await using var fixture = await HostileProxy.StartAsync();
        var idle = new List<Socket>();
        try
        {
            // 300 open connections from 127.0.0.1, past the default cap of 256 per client.
            for (var i = 0; i < 300; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, fixture.Proxy.HttpsPort);
                idle.Add(socket);
            }

            var (tcp, stream) = await HandshakeAsync(fixture.Proxy.HttpsUrl, IPAddress.Loopback);
            using (tcp)
            {
                var response = await RequestAsync(stream, fixture.Host, "/office");

                Assert.Equal(200, response.Status);
            }

            await fixture.Proxy.Log.WaitForLineAsync(l => l.StartsWith("Information:") && l.Contains("limits.per_client_cap_above_connections"));
            Assert.DoesNotContain(fixture.Proxy.Log.Lines, l => l.StartsWith("Warning:") && l.Contains("max_connections_per_client"));
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task FloodFromOneAddress_UnderPressure_Capped_OtherAddressServed()
    {
        await using var fixture = await HostileProxy.StartAsync("limits: { max_connections_per_client: 4, per_client_cap_above_connections: 10 }\n");
        var held = new List<TcpClient>();
        try
        {
            // Ten from one address: past its cap of 4, but the server holds no more than 10 in all.
            for (var i = 0; i < 10; i++)
            {
                var (tcp, _) = await HandshakeAsync(fixture.Proxy.HttpsUrl, IPAddress.Loopback);
                held.Add(tcp);
            }

            // The eleventh puts the server past 10: the flooding address is refused at accept...
            await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(fixture.Proxy.HttpsUrl, IPAddress.Loopback));
            // ...while another address, under its cap, is served.
            var (other, stream) = await HandshakeAsync(fixture.Proxy.HttpsUrl, IPAddress.Parse("127.0.0.2"));
            held.Add(other);
            var response = await RequestAsync(stream, fixture.Host, "/other");

            Assert.Equal(200, response.Status);
            Assert.Equal(["/other"], fixture.Arrivals);
            var warning = await fixture.Proxy.Log.WaitForLineAsync(l => l.StartsWith("Warning:") && l.Contains("limits.max_connections_per_client"));
            Assert.Contains("127.0.0.1", warning);
            Assert.Contains("limits.per_client_cap_above_connections", warning);
        }
        finally
        {
            held.ForEach(h => h.Dispose());
        }
    }

    private static async Task<(TcpClient, Stream)> HandshakeAsync(Uri server, IPAddress from)
    {
        var tcp = new TcpClient(new IPEndPoint(from, 0));
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port);
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return (tcp, await RawHttp.OpenAsync(tcp, server, null, cancel.Token));
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static async Task<RawResponse> RequestAsync(Stream stream, string host, string path)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"), cancel.Token);
        return await RawHttp.ReadResponseAsync(stream, cancel.Token);
    }
}
