namespace Portcullis.Proxy.Utilities;

/// <summary>
/// Lets one log line of a kind through per interval and counts the others, so that a flood of
/// refused connections (a hostile client, or a load balancer set up wrong) cannot fill the disk
/// one line per connection; the next line let through says how many were left out. Thread-safe.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private long _nextLineAt = long.MinValue;
    private int _leftOut;

    public TimeSpan Interval => interval;

    /// <summary>
    /// True when this line is to be written: the first of its interval. <paramref name="leftOut"/>
    /// is then the number of lines not written since the last one that was.
    /// </summary>
    public bool TryLog(out int leftOut)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextLineAt);
        if (now >= next && Interlocked.CompareExchange(ref _nextLineAt, now + interval.Ticks, next) == next)
        {
            leftOut = Interlocked.Exchange(ref _leftOut, 0);
            return true;
        }

        Interlocked.Increment(ref _leftOut);
        leftOut = 0;
        return false;
    }

    /// <summary>What to append to a line written after <paramref name="leftOut"/> were not: "" for none.</summary>
    public string Suffix(int leftOut) => leftOut == 0 ? ""
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({leftOut} more like it not logged: at most one such line per {interval.TotalSeconds:0.#} s)");
}
