using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Tls;

/// <summary>
/// OpenSSL's SSL_MODE_RELEASE_BUFFERS on SslStream (Tls/OpenSslBufferRelease.cs): it must really be
/// set on this .NET (else idle connections silently grow back by ~34 KiB each), and a connection
/// with it must carry data exactly as before, in both directions, across idle periods.
/// </summary>
public sealed class TlsBufferReleaseTests
{
    [Fact]
    public async Task Applied_OnBothEnds_DataFlowsUnchangedBothWays()
    {
        var (server, client) = await ConnectedPairAsync();
        await using var _ = server;
        await using var __ = client;

        Assert.False(OpenSslBufferRelease.IsApplied(server));
        Assert.True(OpenSslBufferRelease.Apply(server));
        Assert.True(OpenSslBufferRelease.Apply(client));
        Assert.True(OpenSslBufferRelease.IsApplied(server));
        Assert.True(OpenSslBufferRelease.IsApplied(client));

        // Many record sizes, both directions at once: 1 MiB each way, then an idle pause (buffers
        // released), then more.
        var payload = new byte[1 << 20];
        new Random(5).NextBytes(payload);
        for (var round = 0; round < 2; round++)
        {
            var up = CopyThroughAsync(client, server, payload);
            var down = CopyThroughAsync(server, client, payload);
            Assert.Equal(payload, await up.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(payload, await down.WaitAsync(TimeSpan.FromSeconds(30)));
            await Task.Delay(50);
        }
    }

    [Fact]
    public void NotAuthenticated_LeftAlone()
    {
        using var stream = new SslStream(new MemoryStream());
        Assert.False(OpenSslBufferRelease.Apply(stream));
        Assert.False(OpenSslBufferRelease.IsApplied(stream));
    }

    private static async Task<byte[]> CopyThroughAsync(SslStream from, SslStream to, byte[] payload)
    {
        var writer = Task.Run(async () =>
        {
            var sizes = new[] { 1, 7, 100, 1500, 16_384, 20_000, 65_536 };
            for (int offset = 0, i = 0; offset < payload.Length; i++)
            {
                var size = Math.Min(sizes[i % sizes.Length], payload.Length - offset);
                await from.WriteAsync(payload.AsMemory(offset, size));
                offset += size;
            }

            await from.FlushAsync();
        });

        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length)
        {
            var read = await to.ReadAsync(received.AsMemory(total));
            Assert.NotEqual(0, read);
            total += read;
        }

        await writer;
        return received;
    }

    private static async Task<(SslStream Server, SslStream Client)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptTcpClientAsync();
        var clientTcp = new TcpClient();
        await clientTcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var serverTcp = await accept;

        var certificate = SelfSignedCertificateStore.Create(["localhost"]);
        var server = new SslStream(serverTcp.GetStream(), leaveInnerStreamOpen: false);
        var client = new SslStream(clientTcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }),
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }));
        return (server, client);
    }
}
