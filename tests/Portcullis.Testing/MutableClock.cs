namespace Portcullis.Testing;

/// <summary>The system clock moved by an offset a test sets; timers stay the system's.</summary>
public sealed class MutableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
