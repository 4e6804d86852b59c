namespace Portcullis.Emulator.ProtectedApp;

/// <summary>What the protected app reports about a request the proxy let through.</summary>
/// <param name="Application">The application's slug.</param>
/// <param name="Path">Path and query as the app received them.</param>
/// <param name="User">X-Authentik-Username when it arrived once and the outpost issued it; else null.</param>
/// <param name="SessionUser">The user of the outpost session named by the request's cookie, or null.</param>
/// <param name="IdentityHeaders">Every X-authentik-* line that arrived, in arrival order.</param>
/// <param name="MissingHeaders">Identity headers the outpost issued for the session that did not arrive.</param>
internal sealed record ProtectedAppReport(
    string Application,
    string Path,
    string? User,
    string? SessionUser,
    IReadOnlyList<ReceivedIdentityHeader> IdentityHeaders,
    IReadOnlyList<string> MissingHeaders);
