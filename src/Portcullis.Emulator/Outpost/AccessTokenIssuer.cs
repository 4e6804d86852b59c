using System.Security.Cryptography;
using System.Text;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The code exchange's result: an access token with the claims authentik's default proxy
/// scope mappings put in it (goauthentik/authentik blueprints/system/providers-oauth2.yaml and
/// providers-proxy.yaml: <c>ak_proxy</c>), HS256-signed with the client secret.
/// </summary>
internal sealed class AccessTokenIssuer
{
    /// <summary>Every emulated user is in this group, so X-Authentik-Groups is never empty.</summary>
    public const string DefaultGroup = "emulator-users";

    private readonly OutpostProvider _provider;
    private readonly AuthentikBrowserUrl _browser;
    private readonly TimeProvider _time;

    public AccessTokenIssuer(OutpostProvider provider, AuthentikBrowserUrl browser, TimeProvider time)
    {
        _provider = provider;
        _browser = browser;
        _time = time;
    }

    public SignedInUser Issue(string username)
    {
        var now = _time.GetUtcNow();
        var expires = now + OutpostProvider.AccessTokenValidity;
        var uid = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username)));
        var email = username + "@emulator.invalid";
        string[] groups = [DefaultGroup];
        var token = Hs256Jwt.Sign(_provider.ClientSecret, json =>
        {
            json.WriteString("iss", $"{_browser.Base}application/o/{OutpostProvider.ApplicationSlug}/");
            json.WriteString("sub", uid);
            json.WriteString("aud", _provider.ClientId);
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            json.WriteNumber("auth_time", now.ToUnixTimeSeconds());
            json.WriteString("email", email);
            json.WriteBoolean("email_verified", true);
            json.WriteString("name", username);
            json.WriteString("given_name", username);
            json.WriteString("preferred_username", username);
            json.WriteString("nickname", username);
            json.WriteStartArray("groups");
            foreach (var group in groups)
            {
                json.WriteStringValue(group);
            }

            json.WriteEndArray();
            json.WriteStartArray("entitlements");
            json.WriteEndArray();
            json.WriteStartObject("ak_proxy");
            json.WriteStartObject("user_attributes");
            json.WriteEndObject();
            json.WriteBoolean("is_superuser", false);
            json.WriteEndObject();
        });
        return new SignedInUser(username, email, username, uid, groups, [], token, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }
}
