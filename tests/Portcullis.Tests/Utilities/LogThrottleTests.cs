using Portcullis.Proxy.Utilities;

namespace Portcullis.Tests.Utilities;

public sealed class LogThrottleTests
{
    private readonly MutableClock _clock = new();

    [Fact]
    public void TryLog_FloodWithinOneInterval_OnlyTheFirstLine()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), _clock);

        var written = Enumerable.Range(0, 100).Count(_ => throttle.TryLog(out _));

        Assert.Equal(1, written);
    }

    [Fact]
    public void TryLog_NextInterval_WritesAgainAndCountsWhatWasLeftOut()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), _clock);
        Assert.True(throttle.TryLog(out var first));
        for (var i = 0; i < 41; i++)
        {
            Assert.False(throttle.TryLog(out _));
        }

        _clock.Offset += TimeSpan.FromSeconds(10);

        Assert.True(throttle.TryLog(out var leftOut));
        Assert.Equal(0, first);
        Assert.Equal(41, leftOut);
        Assert.Equal(" (41 more like it not logged: at most one such line per 10 s)", throttle.Suffix(leftOut));
        Assert.Equal("", throttle.Suffix(0));
    }

    [Fact]
    public void TryLog_ManyThreadsAtOnce_ExactlyOneLineAndEveryOtherCounted()
    {
        var throttle = new LogThrottle(TimeSpan.FromHours(1), _clock);
        var written = 0;

        Parallel.For(0, 10_000, _ =>
        {
            if (throttle.TryLog(out _))
            {
                Interlocked.Increment(ref written);
            }
        });
        _clock.Offset += TimeSpan.FromHours(1);

        Assert.Equal(1, written);
        Assert.True(throttle.TryLog(out var leftOut));
        Assert.Equal(9_999, leftOut);
    }
}
