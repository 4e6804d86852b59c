using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Outpost;

public class LoginFlowTests
{
    [Fact]
    public async Task Callback_SessionCookieOfTheStart_SetsCookieAndRedirectsToForwardUrl()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath + "page?x=1");
        var startCookie = OutpostFlow.OutpostCookie(server, start)!;

        var callback = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", startCookie);

        Assert.Equal(302, callback.Status);
        Assert.Equal("https://app.test:8443/api/v3/emulator/app/page?x=1", callback.Header("Location"));
        var setCookie = callback.Header("Set-Cookie")!;
        Assert.StartsWith(startCookie + ";", setCookie);
        Assert.Contains("; Max-Age=86400", setCookie);
        Assert.Contains("; Secure", setCookie);
    }

    [Fact]
    public async Task Callback_WithoutTheStartsSessionCookie_Answers400EmptyBody()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath);
        var otherSession = OutpostFlow.OutpostCookie(server, await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath))!;

        var withoutCookie = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", null);
        var start2 = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath);
        var withOtherCookie = await OutpostFlow.SignInAsync(server, start2.Header("Location")!, "alice", otherSession);

        Assert.Equal(400, withoutCookie.Status);
        Assert.Equal("", withoutCookie.Body);
        Assert.Equal(400, withOtherCookie.Status);
        Assert.Null(OutpostFlow.OutpostCookie(server, withOtherCookie));
    }

    [Fact]
    public async Task Start_RdOnTheExternalHost_LoginLandsOnRd()
    {
        await using var server = await OutpostFlow.StartAsync();
        var rd = Uri.EscapeDataString("https://app.test:8443/api/v3/emulator/app/after");

        var start = await RawHttp.SendAsync(server.HttpUrls[0], "GET", $"/outpost.goauthentik.io/start?rd={rd}", [$"Host: {OutpostFlow.ExternalAuthority}"]);
        var callback = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", OutpostFlow.OutpostCookie(server, start));

        Assert.Equal(302, callback.Status);
        Assert.Equal("https://app.test:8443/api/v3/emulator/app/after", callback.Header("Location"));
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("https://app.test/no-port")]
    [InlineData("https://app.test:8443.evil.example/")]
    public async Task Start_RdNotOnTheExternalHostAndPort_LoginLandsOnExternalHost(string target)
    {
        await using var server = await OutpostFlow.StartAsync();

        var start = await RawHttp.SendAsync(server.HttpUrls[0], "GET", $"/outpost.goauthentik.io/start?rd={Uri.EscapeDataString(target)}", [$"Host: {OutpostFlow.ExternalAuthority}"]);
        var callback = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", OutpostFlow.OutpostCookie(server, start));

        Assert.Equal(302, callback.Status);
        Assert.Equal("https://app.test:8443", callback.Header("Location"));
    }

    [Fact]
    public async Task Start_RelativeRd_LoginLandsOnItUnderExternalHost()
    {
        await using var server = await OutpostFlow.StartAsync();

        var start = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/start?rd=%2Fdeep%2Fpage", [$"Host: {OutpostFlow.ExternalAuthority}"]);
        var callback = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", OutpostFlow.OutpostCookie(server, start));

        Assert.Equal("https://app.test:8443/deep/page", callback.Header("Location"));
    }

    [Fact]
    public async Task SignOut_WithSession_RedirectsToEndSessionAndSessionNoLongerPasses()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");

        var signOut = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/sign_out", [$"Host: {OutpostFlow.ExternalAuthority}", $"Cookie: {cookie}"]);
        var after = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath, cookie);

        Assert.Equal(302, signOut.Status);
        Assert.StartsWith($"http://127.0.0.1:{server.HttpUrls[0].Port}/application/o/emulator-app/end-session/?id_token_hint=", signOut.Header("Location"));
        Assert.Equal(401, after.Status);
    }

    [Fact]
    public async Task SignOut_WithoutSession_RedirectsToStart()
    {
        await using var server = await OutpostFlow.StartAsync();

        var signOut = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/sign_out", [$"Host: {OutpostFlow.ExternalAuthority}"]);

        Assert.Equal(302, signOut.Status);
        Assert.StartsWith("https://app.test:8443/outpost.goauthentik.io/start?rd=", signOut.Header("Location"));
    }

    [Fact]
    public async Task AuthCaddy_CallbackQueryInForwardUrl_CompletesLogin()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath);
        var cookie = OutpostFlow.OutpostCookie(server, start)!;
        var authorize = new Uri(start.Header("Location")!);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        var posted = await RawHttp.SendAsync(server.HttpUrls[0], "POST", authorize.PathAndQuery, ["Host: 127.0.0.1", "Content-Type: application/x-www-form-urlencoded"],
            string.Join('&', new[] { "client_id", "redirect_uri", "response_type", "state" }.Select(key => $"{key}={Uri.EscapeDataString(query[key]!)}")) + "&username=carol");
        var callbackUri = new Uri(posted.Header("Location")!).PathAndQuery;

        // Traefik and Caddy may send the callback through the auth endpoint instead of routing it to the outpost.
        var callback = await OutpostFlow.AuthCaddyAsync(server, callbackUri, cookie);

        Assert.Equal(302, callback.Status);
        var signedIn = OutpostFlow.OutpostCookie(server, callback)!;
        Assert.Equal("carol", (await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath, signedIn)).Header("X-Authentik-Username"));
    }

    [Fact]
    public async Task Authorize_RedirectUriNotTheProviders_Answers400()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath);
        var location = start.Header("Location")!.Replace(Uri.EscapeDataString("https://app.test:8443/"), Uri.EscapeDataString("https://evil.example/"));

        var form = await RawHttp.SendAsync(server.HttpUrls[0], "GET", new Uri(location).PathAndQuery, ["Host: 127.0.0.1"]);

        Assert.Equal(400, form.Status);
        Assert.Contains("redirect_uri does not match", form.Body);
    }

    [Fact]
    public async Task AuthCaddy_ClientForwardedHostPassedOn_LoginLandsOnThatHost()
    {
        await using var server = await OutpostFlow.StartAsync();

        // What a proxy that keeps the client's X-Forwarded-Host sends: the outpost builds the
        // forward URL, hence the post-login target, from it.
        var start = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/caddy",
            ["Host: 127.0.0.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example", "X-Forwarded-Uri: /steal"]);
        var callback = await OutpostFlow.SignInAsync(server, start.Header("Location")!, "alice", OutpostFlow.OutpostCookie(server, start));

        Assert.Equal(302, callback.Status);
        Assert.Equal("https://evil.example/steal", callback.Header("Location"));
    }

    [Fact]
    public async Task AuthTraefik_LogoutQueryInForwardUrl_SignsOut()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");

        var logout = await RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/traefik",
            ["Host: 127.0.0.1", "X-Forwarded-Proto: https", $"X-Forwarded-Host: {OutpostFlow.ExternalAuthority}", "X-Forwarded-Uri: /?X-authentik-logout=true", $"Cookie: {cookie}"]);
        var after = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath, cookie);

        Assert.Equal(302, logout.Status);
        Assert.Contains("/end-session/", logout.Header("Location"));
        Assert.Equal(302, after.Status);
        Assert.Contains("/application/o/authorize/", after.Header("Location"));
    }

    [Fact]
    public async Task Callback_StateSignatureTampered_Answers400()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath);
        var cookie = OutpostFlow.OutpostCookie(server, start)!;
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(start.Header("Location")!).Query);
        var state = query["state"]!;
        var tampered = state[..^2] + (state[^2] == 'A' ? "B" : "A") + state[^1];

        var callback = await RawHttp.SendAsync(server.HttpUrls[0], "GET",
            $"/outpost.goauthentik.io/callback?X-authentik-auth-callback=true&code=x&state={Uri.EscapeDataString(tampered)}",
            [$"Host: {OutpostFlow.ExternalAuthority}", $"Cookie: {cookie}"]);

        Assert.Equal(400, callback.Status);
        Assert.Equal("", callback.Body);
    }

    [Fact]
    public async Task Callback_UnknownCode_RedirectsToTargetWithoutSigningIn()
    {
        await using var server = await OutpostFlow.StartAsync();
        var start = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath + "page");
        var cookie = OutpostFlow.OutpostCookie(server, start)!;
        var state = System.Web.HttpUtility.ParseQueryString(new Uri(start.Header("Location")!).Query)["state"]!;

        var callback = await RawHttp.SendAsync(server.HttpUrls[0], "GET",
            $"/outpost.goauthentik.io/callback?X-authentik-auth-callback=true&code=unknown&state={Uri.EscapeDataString(state)}",
            [$"Host: {OutpostFlow.ExternalAuthority}", $"Cookie: {cookie}"]);
        var after = await OutpostFlow.AuthNginxAsync(server, OutpostFlow.AppPath, cookie);

        Assert.Equal(302, callback.Status);
        Assert.Equal("https://app.test:8443/api/v3/emulator/app/page", callback.Header("Location"));
        Assert.Equal(401, after.Status);
    }
}
