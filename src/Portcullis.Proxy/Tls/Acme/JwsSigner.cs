using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// Signs ACME requests as flattened JWS (RFC 8555 §6.2, RFC 7515 §7.2.2) with ES256 (P-256,
/// SHA-256; RFC 7518 §3.4). The protected header carries alg, nonce, url and either the account's
/// public key (jwk: newAccount and revokeCert by certificate key, §6.2) or the account URL (kid:
/// everything else).
/// </summary>
public sealed class JwsSigner
{
    private readonly ECDsa _key;

    public JwsSigner(ECDsa key)
    {
        _key = key;
        Thumbprint = JwkThumbprint.Compute(key);
    }

    /// <summary>The account key's JWK thumbprint (RFC 7638), for key authorizations.</summary>
    public string Thumbprint { get; }

    /// <summary>
    /// The JWS for one request. <paramref name="payload"/> null is the empty payload of a
    /// POST-as-GET (RFC 8555 §6.3); <paramref name="keyId"/> null puts the jwk in the header.
    /// </summary>
    public byte[] Sign(byte[]? payload, string url, string nonce, string? keyId)
    {
        var protectedHeader = Base64Url.Encode(ProtectedHeader(url, nonce, keyId));
        var encodedPayload = payload is null ? "" : Base64Url.Encode(payload);
        var signingInput = Encoding.ASCII.GetBytes(protectedHeader + "." + encodedPayload);
        // RFC 7518 §3.4: the signature is R and S, 32 bytes each, concatenated (not DER).
        var signature = _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", protectedHeader);
            writer.WriteString("payload", encodedPayload);
            writer.WriteString("signature", Base64Url.Encode(signature));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private byte[] ProtectedHeader(string url, string nonce, string? keyId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            if (keyId is null)
            {
                writer.WriteStartObject("jwk");
                foreach (var member in JwkThumbprint.EcJwkMembers(_key))
                {
                    writer.WriteString(member.Key, member.Value);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("kid", keyId);
            }

            writer.WriteString("nonce", nonce);
            writer.WriteString("url", url);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
