using System.Collections.Concurrent;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>Clients hammering one URL until stopped; every failure is kept with its reason.</summary>
public sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private int _completed;

    public Load(int clients, Func<int, Task<string?>> request)
    {
        _workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (await request(worker) is { } failure)
                    {
                        Failures.Enqueue(failure);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    Failures.Enqueue(ex.ToString());
                }

                Interlocked.Increment(ref _completed);
            }
        })).ToArray();
    }

    public ConcurrentQueue<string> Failures { get; } = new();

    public int Completed => Volatile.Read(ref _completed);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
