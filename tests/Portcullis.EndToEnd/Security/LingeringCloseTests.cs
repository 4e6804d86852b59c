using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// An answer given while the client is still sending (here: 431 for headers past the limit) must
/// reach the client. Closing a connection with unread input sends a reset that destroys an answer
/// the client has not read yet, or makes its next write fail before it ever reads; Portcullis
/// lingers (reads and discards) before it closes. Each case is a bounded loop of clients that send
/// their whole request, then read.
/// </summary>
public sealed class LingeringCloseTests
{
    [Theory]
    [InlineData("http", 2000)]
    [InlineData("https", 300)]
    public async Task HeadersPastLimitWhileClientStillSends_431ReachesEveryClient(string scheme, int tries)
    {
        await using var fixture = await HostileProxy.StartAsync("limits: { max_request_headers: 1KiB }\n");
        var server = scheme == "https" ? fixture.Proxy.HttpsUrl : fixture.Proxy.HttpUrl;
        var watch = Stopwatch.StartNew();
        var lost = new List<string>();
        var next = 0;

        async Task ClientAsync()
        {
            while (Interlocked.Increment(ref next) <= tries && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                var outcome = await SendThenReadAsync(server, fixture.Host);
                if (outcome is not null)
                {
                    lock (lost)
                    {
                        lost.Add(outcome);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ClientAsync)));

        Assert.True(next >= tries, $"only {next} of {tries} tries within the time bound");
        Assert.True(lost.Count == 0, $"{lost.Count} of {tries} answers lost, first: {lost.FirstOrDefault()}");
        Assert.Empty(fixture.Arrivals);
    }

    // Writes the whole request, 1 KiB a write as a client on a busy machine might, then reads the
    // answer: null when a 431 arrived. A reset while writing loses the answer as surely as one while reading.
    private static async Task<string?> SendThenReadAsync(Uri server, string host)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port, cancel.Token);
            var stream = await RawHttp.OpenAsync(tcp, server, null, cancel.Token);
            var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nCookie: a={new string('a', 32 * 1024)}\r\n\r\n");
            for (var offset = 0; offset < request.Length; offset += 1024)
            {
                await stream.WriteAsync(request.AsMemory(offset, Math.Min(1024, request.Length - offset)), cancel.Token);
            }

            var response = await RawHttp.ReadResponseAsync(stream, cancel.Token);
            return response.Status == 431 ? null : $"status {response.Status}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
