namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>The system clock moved by an offset a test sets (to reach a renewal time); timers stay the system's.</summary>
public sealed class OffsetClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
