namespace Portcullis.Emulator.Outpost;

/// <summary>
/// One outpost session, as the Go outpost's session store keeps it: created by the first
/// unauthenticated request (for the state's <c>sid</c>), given claims by the callback.
/// </summary>
internal sealed class OutpostSession
{
    public OutpostSession(string id, DateTimeOffset expires)
    {
        Id = id;
        Expires = expires;
    }

    public string Id { get; }

    public DateTimeOffset Expires { get; set; }

    /// <summary>The session's <c>redirect</c> key: written by the nginx endpoint, read by nothing (as in authentik).</summary>
    public string? Redirect { get; set; }

    /// <summary>Set by a successful callback.</summary>
    public SignedInUser? User { get; set; }

    /// <summary>The identity headers the outpost answered with for this session, for the protected app's report.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> IssuedHeaders { get; set; } = [];
}
