using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>
/// An upstream that answers every request with fixed bytes and then closes the connection: for
/// responses no well-behaved server would send (cut short, malformed).
/// </summary>
public sealed class RawUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RawUpstream(string response)
    {
        _listener.Start();
        _accepting = AcceptAsync(Encoding.Latin1.GetBytes(response.Replace("\r\n", "\n").Replace("\n", "\r\n")));
    }

    private int _requests;

    /// <summary>Requests whose headers arrived.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private async Task AcceptAsync(byte[] response)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[64 * 1024];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n"))
                        {
                            var read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            seen.Append(Encoding.Latin1.GetString(buffer, 0, read));
                        }

                        Interlocked.Increment(ref _requests);
                        await stream.WriteAsync(response, _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }
}
