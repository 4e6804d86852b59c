using System.Net;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Health;

/// <summary>
/// Probes one upstream server at one path, at start and then every interval, through the route's
/// pooled client (so the route's upstream certificate policy applies), and reports each result to
/// the server's <see cref="DestinationHealth"/>. A 2xx answer within the timeout passes; anything
/// else fails, a redirect included (point the path at /-/health/live/, not at a page).
/// </summary>
public sealed class HealthProbe(HealthProbeKey key, DestinationHealth destination) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _target = new(key.Url + key.Check.Path);
    private int _state; // 0 new, 1 running, 2 stopped
    private Task _running = Task.CompletedTask;

    public HealthProbeKey Key { get; } = key;

    /// <summary>Starts probing; a probe already running (kept by a reload) is left alone.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        destination.ProbeStarted();
        _running = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(Key.Check.Interval);
            do
            {
                await ProbeOnceAsync();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeOnceAsync()
    {
        var check = Key.Check;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(check.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, _target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("User-Agent", "Portcullis health check");
        request.Options.Set(PassiveHealthHandler.IsProbe, true);
        bool passed;
        string detail;
        try
        {
            using var response = await Key.Client.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            passed = status is >= 200 and < 300;
            detail = $"answered {status}";
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            passed = false;
            detail = $"no answer within {ValueParsers.FormatDuration(check.Timeout)}";
        }
        catch (HttpRequestException ex)
        {
            passed = false;
            detail = ExceptionChain.InnermostMessage(ex);
        }
        catch (ObjectDisposedException)
        {
            return; // The client was retired by a reload; so is this probe.
        }

        if (!_stop.IsCancellationRequested)
        {
            destination.ReportProbe(passed, detail, check);
        }
    }

    public void Dispose()
    {
        var previous = Interlocked.Exchange(ref _state, 2);
        _stop.Cancel();
        if (previous == 1)
        {
            destination.ProbeStopped();
        }
    }
}
