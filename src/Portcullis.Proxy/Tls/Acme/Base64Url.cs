namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// base64url without padding, the encoding of every binary field in ACME (RFC 8555 §6.1,
/// RFC 7515 §2).
/// </summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
