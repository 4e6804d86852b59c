namespace Portcullis.Check;

/// <summary>The verdict on one requirement.</summary>
public enum CheckStatus
{
    /// <summary>The requirement holds.</summary>
    Pass,

    /// <summary>It works, but is weaker than it should be (e.g. TLS 1.2 offered, short HSTS).</summary>
    Warn,

    /// <summary>The requirement is broken; the result carries the fix.</summary>
    Fail,

    /// <summary>Not tested, and the detail says why (e.g. needs <c>--long</c> or the emulator).</summary>
    Skip,
}
