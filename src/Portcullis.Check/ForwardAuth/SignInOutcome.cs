namespace Portcullis.Check.ForwardAuth;

/// <summary>How a sign-in attempt through the proxy ended.</summary>
internal enum SignInStatus
{
    /// <summary>Signed in and back on the application, which served the request.</summary>
    Completed,

    /// <summary>The sign-in page is not the emulator's: a real authentik needs a person.</summary>
    NotEmulator,

    /// <summary>The outpost sent the browser to the host the client forged.</summary>
    ForgedHost,

    /// <summary>Something on the way broke; the reason says what.</summary>
    Failed,
}

/// <summary>A sign-in attempt: how it ended, every hop, and the final answer.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Reason">For anything but <see cref="SignInStatus.Completed"/>: why, in words.</param>
/// <param name="Hops">Each request as "GET url → answer".</param>
/// <param name="Final">The last answer.</param>
internal sealed record SignInOutcome(SignInStatus Status, string Reason, IReadOnlyList<string> Hops, ProbeResponse? Final)
{
    public string Trail => string.Join(" → ", Hops);
}
