using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>Slowloris-style clients: cut by timeouts.client_header and limits.min_request_body_rate.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task SlowHeaders_ConnectionCutAfterClientHeaderTimeout()
    {
        await using var fixture = await HostileProxy.StartAsync("timeouts: { client_header: 1s }\n");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Proxy.HttpsUrl.Host, fixture.Proxy.HttpsPort);
        var stream = await RawHttp.OpenAsync(tcp, fixture.Proxy.HttpsUrl, null, CancellationToken.None);
        var watch = Stopwatch.StartNew();

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {fixture.Host}\r\nX-Slow: "));
        var answer = await ReadToCloseAsync(stream, TimeSpan.FromSeconds(10));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408 ", StringComparison.Ordinal), answer);
        Assert.Empty(fixture.Arrivals);
    }

    [Fact]
    public async Task SlowBody_CutByMinimumRate_UpstreamNeverGetsACompleteRequest()
    {
        await using var fixture = await HostileProxy.StartAsync("limits: { min_request_body_rate: 1KiB }\n");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Proxy.HttpsUrl.Host, fixture.Proxy.HttpsPort);
        var stream = await RawHttp.OpenAsync(tcp, fixture.Proxy.HttpsUrl, null, CancellationToken.None);
        var watch = Stopwatch.StartNew();

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /slow HTTP/1.1\r\nHost: {fixture.Host}\r\nContent-Length: 100000\r\n\r\nonly-this"));
        var answer = await ReadToCloseAsync(stream, TimeSpan.FromSeconds(20));

        // Kestrel's grace period is 5 s, then 1 KiB/s is due.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408 ", StringComparison.Ordinal), answer);
        Assert.Empty(fixture.Upstream.Requests);
    }

    /// <summary>Reads until the server closes the connection (an event, not a poll).</summary>
    private static async Task<string> ReadToCloseAsync(Stream stream, TimeSpan timeout)
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

        return Encoding.ASCII.GetString(buffer.ToArray());
    }
}
