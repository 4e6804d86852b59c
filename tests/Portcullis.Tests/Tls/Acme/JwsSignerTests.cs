using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class JwsSignerTests
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public void Sign_WithKeyId_SignatureVerifiesWithPublicKey()
    {
        var jws = Parse(new JwsSigner(_key).Sign("{\"a\":1}"u8.ToArray(), "https://ca.test/new-order", "nonce1", "https://ca.test/acct/7"));

        var signingInput = Encoding.ASCII.GetBytes(jws["protected"]!.GetValue<string>() + "." + jws["payload"]!.GetValue<string>());
        using var publicOnly = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        Assert.True(publicOnly.VerifyData(signingInput, Base64Url.Decode(jws["signature"]!.GetValue<string>()), HashAlgorithmName.SHA256));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(Base64Url.Decode(jws["payload"]!.GetValue<string>())));
    }

    [Fact]
    public void Sign_WithKeyId_ProtectedHeaderHasAlgKidNonceUrlAndNoJwk()
    {
        var header = ProtectedHeader(new JwsSigner(_key).Sign([], "https://ca.test/new-order", "nonce1", "https://ca.test/acct/7"));

        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Equal("https://ca.test/acct/7", header["kid"]!.GetValue<string>());
        Assert.Equal("nonce1", header["nonce"]!.GetValue<string>());
        Assert.Equal("https://ca.test/new-order", header["url"]!.GetValue<string>());
        Assert.Null(header["jwk"]);
    }

    [Fact]
    public void Sign_WithoutKeyId_ProtectedHeaderHasPublicJwkAndNoKid()
    {
        var header = ProtectedHeader(new JwsSigner(_key).Sign([], "https://ca.test/new-account", "n", keyId: null));

        var jwk = header["jwk"]!.AsObject();
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        Assert.Equal("EC", jwk["kty"]!.GetValue<string>());
        Assert.Equal("P-256", jwk["crv"]!.GetValue<string>());
        Assert.Equal(Base64Url.Encode(parameters.Q.X), jwk["x"]!.GetValue<string>());
        Assert.Equal(Base64Url.Encode(parameters.Q.Y), jwk["y"]!.GetValue<string>());
        Assert.Null(jwk["d"]); // never the private key
        Assert.Null(header["kid"]);
    }

    [Fact]
    public void Sign_PostAsGet_PayloadIsEmptyString()
    {
        var jws = Parse(new JwsSigner(_key).Sign(null, "https://ca.test/order/1", "n", "https://ca.test/acct/7"));

        Assert.Equal("", jws["payload"]!.GetValue<string>());
        Assert.Equal(64, Base64Url.Decode(jws["signature"]!.GetValue<string>()).Length); // R || S, RFC 7518 §3.4
    }

    [Fact]
    public void Constructor_P384Key_Throws()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => new JwsSigner(p384));
    }

    private static JsonObject Parse(byte[] jws) => JsonNode.Parse(jws)!.AsObject();

    private static JsonObject ProtectedHeader(byte[] jws) => JsonNode.Parse(Base64Url.Decode(Parse(jws)["protected"]!.GetValue<string>()))!.AsObject();
}
