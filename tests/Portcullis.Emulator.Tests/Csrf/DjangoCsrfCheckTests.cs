using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.Emulator.Csrf;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Tests.Csrf;

public class DjangoCsrfCheckTests
{
    private const string Token = "abcdefghijklmnopqrstuvwxyz012345";

    [Theory]
    [InlineData("https", "auth.example.com", "https://auth.example.com", null, null)]
    [InlineData("http", "auth.example.com", "https://auth.example.com", null, "Origin checking failed - https://auth.example.com does not match any trusted origins.")]
    [InlineData("https", "auth.example.com:8443", "https://auth.example.com", null, "Origin checking failed - https://auth.example.com does not match any trusted origins.")]
    [InlineData("https", "auth.example.com", null, null, "Referer checking failed - no Referer.")]
    [InlineData("https", "auth.example.com", null, "https://auth.example.com/if/admin/", null)]
    [InlineData("https", "auth.example.com", null, "https://AUTH.example.com/", null)]
    [InlineData("https", "auth.example.com", null, "http://auth.example.com/", "Referer checking failed - Referer is insecure while host is secure.")]
    [InlineData("https", "auth.example.com", null, "auth.example.com/", "Referer checking failed - Referer is malformed.")]
    [InlineData("https", "auth.example.com", null, "https://evil.example/x", "Referer checking failed - https://evil.example/x does not match any trusted origins.")]
    [InlineData("http", "auth.example.com", null, null, null)]
    public void Check_OriginAndRefererLikeDjango(string scheme, string host, string? origin, string? referer, string? expected)
    {
        var context = Request(origin, referer, cookie: Token, header: Token);
        var effective = new EffectiveRequest(scheme, host, "203.0.113.9", IPAddress.Loopback, true);

        Assert.Equal(expected, DjangoCsrfCheck.Check(effective, context.Request.Headers, context.Request.Cookies));
    }

    [Theory]
    [InlineData(null, Token, "CSRF cookie not set.")]
    [InlineData(Token, null, "CSRF token missing.")]
    [InlineData(Token, "short", "CSRF token from the 'X-Authentik-Csrf' HTTP header has incorrect length.")]
    [InlineData(Token, "abcdefghijklmnopqrstuvwxyz01234!", "CSRF token from the 'X-Authentik-Csrf' HTTP header has invalid characters.")]
    [InlineData(Token, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "CSRF token from the 'X-Authentik-Csrf' HTTP header incorrect.")]
    public void Check_TokenLikeDjango(string? cookie, string? header, string expected)
    {
        var context = Request("https://auth.example.com", null, cookie, header);
        var effective = new EffectiveRequest("https", "auth.example.com", "203.0.113.9", IPAddress.Loopback, true);

        Assert.Equal(expected, DjangoCsrfCheck.Check(effective, context.Request.Headers, context.Request.Cookies));
    }

    private static DefaultHttpContext Request(string? origin, string? referer, string? cookie, string? header)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        if (referer is not null)
        {
            context.Request.Headers.Referer = referer;
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"authentik_csrf={cookie}";
        }

        if (header is not null)
        {
            context.Request.Headers["X-authentik-CSRF"] = header;
        }

        return context;
    }
}
