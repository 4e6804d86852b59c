using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// JSON Web Tokens signed with HMAC-SHA256 (RFC 7519, RFC 7515 section 3.1 compact form): the
/// outpost's state parameter (key: the cookie secret) and the access token it passes on as
/// <c>X-Authentik-Jwt</c> (key: the client secret; proxy providers have no signing key,
/// goauthentik/authentik authentik/providers/proxy/models.py <c>set_oauth_defaults</c>).
/// </summary>
internal static class Hs256Jwt
{
    private static readonly string Header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));

    public static string Sign(byte[] key, Action<Utf8JsonWriter> writeClaims)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeClaims(json);
            json.WriteEndObject();
        }

        var signingInput = Header + "." + Base64Url(buffer.ToArray());
        return signingInput + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The claims of a token whose signature verifies with <paramref name="key"/>, else null.</summary>
    public static JsonElement? Verify(string? token, byte[] key)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(expected, signature)
            || !TryDecode(parts[1], out var payload))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
