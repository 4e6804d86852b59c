using System.Security.Cryptography;
using System.Text;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class JwkThumbprintTests
{
    [Fact]
    public void Compute_Rfc7638Example_ReturnsPublishedThumbprint()
    {
        // RFC 7638 §3.1: the RSA key and its SHA-256 thumbprint.
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        var members = new Dictionary<string, string> { ["n"] = n, ["kty"] = "RSA", ["e"] = "AQAB" };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JwkThumbprint.Compute(members));
    }

    [Fact]
    public void Compute_EcKey_HashesSortedMembersWithoutWhitespace()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        var expectedInput = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(q.X)}\",\"y\":\"{Base64Url.Encode(q.Y)}\"}}";

        Assert.Equal(Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(expectedInput))), JwkThumbprint.Compute(key));
    }

    [Fact]
    public void KeyAuthorization_Token_IsTokenDotThumbprint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal("tok_-1." + JwkThumbprint.Compute(key), JwkThumbprint.KeyAuthorization("tok_-1", key));
    }
}
