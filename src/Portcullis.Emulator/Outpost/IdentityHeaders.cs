namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The twelve headers an authenticated forward-auth answer carries, always all of them, some
/// possibly empty (goauthentik/authentik internal/outpost/proxyv2/application/mode_common.go
/// <c>getHeaders</c>). The names are as Go's net/http canonicalises them on the wire
/// (<c>X-Authentik-Meta-Jwks</c>), which is what a proxy's copy list must match.
/// </summary>
internal static class IdentityHeaders
{
    public const string Username = "X-Authentik-Username";
    public const string Groups = "X-Authentik-Groups";
    public const string Entitlements = "X-Authentik-Entitlements";
    public const string Email = "X-Authentik-Email";
    public const string Name = "X-Authentik-Name";
    public const string Uid = "X-Authentik-Uid";
    public const string Jwt = "X-Authentik-Jwt";
    public const string MetaJwks = "X-Authentik-Meta-Jwks";
    public const string MetaOutpost = "X-Authentik-Meta-Outpost";
    public const string MetaProvider = "X-Authentik-Meta-Provider";
    public const string MetaApp = "X-Authentik-Meta-App";
    public const string MetaVersion = "X-Authentik-Meta-Version";

    /// <summary>In the order authentik's getHeaders lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Username, Groups, Entitlements, Email, Name, Uid, Jwt,
        MetaJwks, MetaOutpost, MetaProvider, MetaApp, MetaVersion,
    ];

    /// <summary>Whether a request header name is one of authentik's identity headers, in any letter case.</summary>
    public static bool IsIdentityHeader(string name) => name.StartsWith("X-authentik-", StringComparison.OrdinalIgnoreCase);

    /// <summary>The values for <paramref name="user"/>, in <see cref="All"/>'s order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(SignedInUser user, string jwksUrl) =>
    [
        new(Username, user.Username),
        // Names joined by "|" without escaping, as authentik's default scope mapping writes them.
        new(Groups, string.Join('|', user.Groups)),
        new(Entitlements, string.Join('|', user.Entitlements)),
        new(Email, user.Email),
        new(Name, user.Name),
        new(Uid, user.Uid),
        new(Jwt, user.AccessToken),
        new(MetaJwks, jwksUrl),
        new(MetaOutpost, OutpostProvider.OutpostName),
        new(MetaProvider, OutpostProvider.ProviderName),
        new(MetaApp, OutpostProvider.ApplicationSlug),
        new(MetaVersion, OutpostProvider.Version),
    ];
}
