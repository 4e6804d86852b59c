using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// JWK thumbprints (RFC 7638): SHA-256 over the key's required members, sorted by name, written
/// without whitespace. ACME puts it in every key authorization (RFC 8555 §8.1).
/// </summary>
public static class JwkThumbprint
{
    /// <summary>The base64url thumbprint of a JWK given by its required members (RFC 7638 §3.2).</summary>
    public static string Compute(IEnumerable<KeyValuePair<string, string>> requiredMembers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            // RFC 7638 §3.3: members in lexicographic order of their names' Unicode code points.
            foreach (var member in requiredMembers.OrderBy(member => member.Key, StringComparer.Ordinal))
            {
                writer.WriteString(member.Key, member.Value);
            }

            writer.WriteEndObject();
        }

        return Base64Url.Encode(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>The thumbprint of an EC public key: members crv, kty, x, y (RFC 7638 §3.2).</summary>
    public static string Compute(ECDsa key) => Compute(EcJwkMembers(key));

    /// <summary>The JWK members of a P-256 public key (RFC 7518 §6.2.1), in thumbprint order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> EcJwkMembers(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("ACME account keys are P-256 (ES256)", nameof(key));
        }

        return
        [
            new("crv", "P-256"),
            new("kty", "EC"),
            new("x", Base64Url.Encode(parameters.Q.X)),
            new("y", Base64Url.Encode(parameters.Q.Y)),
        ];
    }

    /// <summary>The key authorization for a challenge token (RFC 8555 §8.1): token "." thumbprint.</summary>
    public static string KeyAuthorization(string token, ECDsa accountKey) =>
        new StringBuilder(token).Append('.').Append(Compute(accountKey)).ToString();
}
