namespace Portcullis.Emulator.Outpost;

/// <summary>The claims the outpost keeps in a session after a successful callback.</summary>
/// <param name="Username">preferred_username: what the sign-in form was given.</param>
/// <param name="Email">email.</param>
/// <param name="Name">name.</param>
/// <param name="Uid">sub: a SHA-256 hex of the user name, as authentik's default "hashed user ID" subject mode.</param>
/// <param name="Groups">group names.</param>
/// <param name="Entitlements">application entitlement names.</param>
/// <param name="AccessToken">The raw access token, passed on as X-Authentik-Jwt.</param>
/// <param name="Expires">The token's exp: the session ends with it (no sliding refresh).</param>
internal sealed record SignedInUser(
    string Username,
    string Email,
    string Name,
    string Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Entitlements,
    string AccessToken,
    DateTimeOffset Expires);
