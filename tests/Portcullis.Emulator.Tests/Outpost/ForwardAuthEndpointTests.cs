using System.Net.Sockets;
using System.Text.RegularExpressions;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Outpost;

public class ForwardAuthEndpointTests
{
    [Fact]
    public async Task Ping_AnyHostAndMethod_Answers204Empty()
    {
        await using var server = await OutpostFlow.StartAsync();

        var get = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/ping", ["Host: unknown.example"]);
        var post = await RawHttp.SendAsync(server.HttpUrls[0], "POST", "/outpost.goauthentik.io/ping", ["Host: other.example"]);

        Assert.Equal(204, get.Status);
        Assert.Equal("", get.Body);
        Assert.Equal(204, post.Status);
    }

    [Fact]
    public async Task AuthNginx_NoSession_Answers401TextWithNewSessionCookie()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath);

        Assert.Equal(401, response.Status);
        Assert.Equal("unauthorized request\n", response.Body);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Matches("^authentik_proxy_[0-9a-f]{8}$", server.OutpostCookieName);
        var setCookie = response.Header("Set-Cookie")!;
        Assert.StartsWith(server.OutpostCookieName + "=", setCookie);
        Assert.Contains("; Path=/", setCookie);
        Assert.Contains("; Max-Age=86401", setCookie);
        Assert.Contains("; HttpOnly", setCookie);
        Assert.Contains("; Secure", setCookie);
        Assert.EndsWith("; SameSite=Lax", setCookie);
        Assert.DoesNotContain("Domain=", setCookie);
    }

    [Fact]
    public async Task AuthNginx_NeitherOriginalUriNorUrl_Answers500ConfigurationError()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/nginx", ["Host: app.test"]);

        Assert.Equal(500, response.Status);
        Assert.Equal("configuration error\n", response.Body);
    }

    [Fact]
    public async Task AuthNginx_ClientSentOriginalUriUnderOutpostPath_Answers200WithoutIdentity()
    {
        await using var server = await OutpostFlow.StartAsync();

        // X-Original-URI wins over the X-Original-URL nginx set: a client that adds one chooses the path judged.
        var response = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath, null, "X-Original-URI: /outpost.goauthentik.io/anything");

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("X-Authentik-Username"));
    }

    [Fact]
    public async Task AuthCaddy_NoSession_Redirects302ToAuthorizeWithStateAndCookie()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath + "x?y=1");

        Assert.Equal(302, response.Status);
        var location = response.Header("Location")!;
        var redirectUri = Uri.EscapeDataString("https://app.test:8443/outpost.goauthentik.io/callback?X-authentik-auth-callback=true");
        Assert.Matches(
            $"^http://127\\.0\\.0\\.1:{server.HttpUrls[0].Port}/application/o/authorize/\\?client_id=[A-Za-z0-9]{{40}}&redirect_uri={Regex.Escape(redirectUri)}&response_type=code&scope=openid%20email%20profile%20ak_proxy&state=[A-Za-z0-9._-]+$",
            location);
        Assert.NotNull(OutpostFlow.OutpostCookie(server, response));
    }

    [Fact]
    public async Task AuthTraefik_NoForwardedProto_Answers500()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/traefik",
            ["Host: 127.0.0.1", $"X-Forwarded-Host: {OutpostFlow.ExternalAuthority}", "X-Forwarded-Uri: /"]);

        Assert.Equal(500, response.Status);
    }

    [Fact]
    public async Task AuthCaddy_AllowlistedPublicPath_Answers200WithoutIdentityHeaders()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath + "public/page");

        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(response.Headers, header => header.Name.StartsWith("X-Authentik-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AuthCaddy_SignedIn_Answers200WithTwelveCanonicalHeaders()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");

        var response = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath, cookie);

        Assert.Equal(200, response.Status);
        Assert.Equal("", response.Body);
        string[] expected =
        [
            "X-Authentik-Username", "X-Authentik-Groups", "X-Authentik-Entitlements", "X-Authentik-Email", "X-Authentik-Name",
            "X-Authentik-Uid", "X-Authentik-Jwt", "X-Authentik-Meta-Jwks", "X-Authentik-Meta-Outpost", "X-Authentik-Meta-Provider",
            "X-Authentik-Meta-App", "X-Authentik-Meta-Version",
        ];
        // Names exactly as Go writes them on the wire, not merely equal ignoring case.
        Assert.Equal(expected, response.Headers.Where(h => h.Name.StartsWith("X-Authentik-", StringComparison.OrdinalIgnoreCase)).Select(h => h.Name));
        Assert.Equal("alice", response.Header("X-Authentik-Username"));
        Assert.Equal("emulator-users", response.Header("X-Authentik-Groups"));
        Assert.Equal("", response.Header("X-Authentik-Entitlements"));
        Assert.Equal("alice@emulator.invalid", response.Header("X-Authentik-Email"));
        Assert.Equal(3, response.Header("X-Authentik-Jwt")!.Split('.').Length);
        Assert.StartsWith("goauthentik.io/outpost/", response.Header("X-Authentik-Meta-Version"));
        Assert.Equal("outpost-tests/1", response.Header("User-Agent"));
    }

    [Fact]
    public async Task AuthNginx_SignedIn_Answers200WithIdentity()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "bob");

        var response = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath, cookie);

        Assert.Equal(200, response.Status);
        Assert.Equal("bob", response.Header("X-Authentik-Username"));
    }

    [Fact]
    public async Task AuthNginx_UnknownSessionCookie_Answers401WithDeletionCookie()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath, $"{server.OutpostCookieName}=forged.value");

        Assert.Equal(401, response.Status);
        var cookies = response.Headers.Where(h => h.Name == "Set-Cookie").Select(h => h.Value).ToList();
        Assert.Contains(cookies, cookie => cookie.StartsWith(server.OutpostCookieName + "=;") && cookie.Contains("Max-Age=0"));
    }

    [Fact]
    public async Task AuthCaddy_OutpostDownPath_DropsConnectionWithoutAnswer()
    {
        await using var server = await OutpostFlow.StartAsync();

        var exception = await Record.ExceptionAsync(() => OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath + "outpost-down/"));

        // RawHttp reads to the end: an empty stream has no status line to parse.
        Assert.True(exception is InvalidDataException or IOException or SocketException, exception?.ToString());
    }
}
