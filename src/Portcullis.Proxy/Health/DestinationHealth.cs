using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Health;

/// <summary>
/// What Portcullis knows about one upstream server (one URL), shared by every route that names it
/// and kept across reloads, so a reload does not put a dead server back into rotation.
/// Passive: a failed connection or another transport error (the 502 class) takes the server out,
/// for <see cref="PassiveBackoff"/> when nothing probes it, until a health check passes when one
/// does. Active: its <see cref="HealthProbe"/>s take it out after unhealthy_after failed probes
/// in a row and bring it back after healthy_after passed ones. Each observed transition is logged
/// once; the end of a passive backoff is a timer, not an observation, and is not.
/// </summary>
public sealed class DestinationHealth
{
    /// <summary>How long a server nobody probes is skipped after a transport failure.</summary>
    public static readonly TimeSpan PassiveBackoff = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly UpstreamHealthTable _table;
    private long _passiveUntil;
    private volatile bool _down;
    private int _failures;
    private int _successes;
    private int _probes;

    internal DestinationHealth(string url, UpstreamHealthTable table)
    {
        Url = url;
        _table = table;
    }

    /// <summary>scheme://host:port, as requests are sent to it.</summary>
    public string Url { get; }

    /// <summary>False while the server is out of rotation. Read on every request: two field reads, no lock.</summary>
    /// <param name="now">Environment.TickCount64.</param>
    public bool IsAvailable(long now) => !_down && Volatile.Read(ref _passiveUntil) <= now;

    /// <summary>A request (not a probe) could not reach the server or got no valid response from it.</summary>
    public void ReportTransportFailure(string reason)
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            var wasAvailable = IsAvailable(now);
            Volatile.Write(ref _passiveUntil, now + (long)PassiveBackoff.TotalMilliseconds);
            if (_probes > 0)
            {
                _down = true;
                _successes = 0;
            }

            if (wasAvailable)
            {
                _table.Logger.LogWarning("upstream {Upstream} is down: {Reason}; {Until}", Url, reason,
                    _probes > 0 ? "out of rotation until its health check passes" : $"skipped for {ValueParsers.FormatDuration(PassiveBackoff)}");
            }
        }
    }

    internal void ReportProbe(bool passed, string detail, HealthCheckConfig check)
    {
        lock (_lock)
        {
            if (_probes == 0)
            {
                return; // A probe that ended after a reload stopped it.
            }

            if (passed)
            {
                _failures = 0;
                _successes++;
                if (_down && _successes >= check.HealthyAfter)
                {
                    _down = false;
                    Volatile.Write(ref _passiveUntil, 0);
                    _table.Logger.LogInformation("upstream {Upstream} is up: health check GET {Path} passed ({Detail})", Url, check.Path, detail);
                }

                return;
            }

            _successes = 0;
            _failures++;
            if (!_down && _failures >= check.UnhealthyAfter)
            {
                var wasAvailable = IsAvailable(Environment.TickCount64);
                _down = true;
                if (wasAvailable)
                {
                    _table.Logger.LogWarning("upstream {Upstream} is down: health check GET {Path} failed {Count} time(s) in a row ({Detail}); out of rotation until it passes",
                        Url, check.Path, _failures, detail);
                }
            }
        }
    }

    internal void ProbeStarted()
    {
        lock (_lock)
        {
            _probes++;
        }
    }

    internal void ProbeStopped()
    {
        lock (_lock)
        {
            if (--_probes > 0)
            {
                return;
            }

            // Nothing will probe it any more (its health_check was removed): nothing could bring it back.
            _failures = 0;
            _successes = 0;
            if (_down)
            {
                _down = false;
                _table.Logger.LogInformation("upstream {Upstream} is back in rotation: it is no longer health-checked", Url);
            }
        }
    }
}
