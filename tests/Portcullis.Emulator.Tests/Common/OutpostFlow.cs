using System.Text.Json;

namespace Portcullis.Emulator.Tests.Common;

/// <summary>
/// Plays the reverse proxy in front of the emulated outpost: auth requests with the headers
/// nginx's auth_request or Caddy's forward_auth would send, the sign-in form posted as a
/// browser would, and the callback carried back with the outpost's cookie.
/// </summary>
internal static class OutpostFlow
{
    /// <summary>The provider's external_host in these tests: https, a non-default port.</summary>
    public const string ExternalHost = "https://app.test:8443";
    public const string ExternalAuthority = "app.test:8443";
    public const string AppPath = "/api/v3/emulator/app/";

    public static Task<EmulatorServer> StartAsync() =>
        TestEmulator.StartAsync(options => options with { OutpostExternalHost = ExternalHost });

    /// <summary>What Caddy's forward_auth sends to /outpost.goauthentik.io/auth/caddy.</summary>
    public static Task<RawResponse> AuthCaddyAsync(EmulatorServer server, string uri, string? cookie = null, params string[] extra) =>
        RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/caddy",
            new[] { "Host: 127.0.0.1", "X-Forwarded-Proto: https", $"X-Forwarded-Host: {ExternalAuthority}", $"X-Forwarded-Uri: {uri}", "X-Forwarded-Method: GET", "User-Agent: outpost-tests/1" }
                .Concat(cookie is null ? [] : [$"Cookie: {cookie}"]).Concat(extra));

    /// <summary>What the documented nginx auth_request location sends to /outpost.goauthentik.io/auth/nginx.</summary>
    public static Task<RawResponse> AuthNginxAsync(EmulatorServer server, string uri, string? cookie = null, params string[] extra) =>
        RawHttp.SendAsync(server.HttpUrls[0], "GET", "/outpost.goauthentik.io/auth/nginx",
            new[] { $"Host: app.test", $"X-Original-URL: {ExternalHost}{uri}" }
                .Concat(cookie is null ? [] : [$"Cookie: {cookie}"]).Concat(extra));

    /// <summary>The name=value part of the outpost cookie in a Set-Cookie, or null.</summary>
    public static string? OutpostCookie(EmulatorServer server, RawResponse response) =>
        response.Headers.Where(h => h.Name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase) && h.Value.StartsWith(server.OutpostCookieName + "=", StringComparison.Ordinal))
            .Select(h => h.Value.Split(';')[0])
            .LastOrDefault();

    /// <summary>
    /// Follows an authorize Location: the sign-in form, posted with <paramref name="username"/>,
    /// then the callback on the external host sent to the emulator with <paramref name="cookie"/>.
    /// Returns the callback's answer.
    /// </summary>
    public static async Task<RawResponse> SignInAsync(EmulatorServer server, string authorizeLocation, string username, string? cookie)
    {
        var authorize = new Uri(authorizeLocation);
        Assert.Equal(server.HttpUrls[0].Authority, authorize.Authority);
        var form = await RawHttp.SendAsync(server.HttpUrls[0], "GET", authorize.PathAndQuery, ["Host: 127.0.0.1"]);
        Assert.Equal(200, form.Status);
        Assert.Contains("id=\"portcullis-emulator-sign-in\"", form.Body);

        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        var body = string.Join('&', new[] { "client_id", "redirect_uri", "response_type", "state" }
            .Select(key => $"{key}={Uri.EscapeDataString(query[key]!)}")
            .Append($"username={Uri.EscapeDataString(username)}"));
        var posted = await RawHttp.SendAsync(server.HttpUrls[0], "POST", authorize.PathAndQuery,
            ["Host: 127.0.0.1", "Content-Type: application/x-www-form-urlencoded"], body);
        Assert.Equal(302, posted.Status);
        var callback = new Uri(posted.Header("Location")!);
        Assert.Equal(ExternalAuthority, callback.Authority);
        return await RawHttp.SendAsync(server.HttpUrls[0], "GET", callback.PathAndQuery,
            new[] { $"Host: {ExternalAuthority}" }.Concat(cookie is null ? [] : [$"Cookie: {cookie}"]));
    }

    /// <summary>A whole login through the Caddy endpoint for <paramref name="uri"/>: the session cookie afterwards.</summary>
    public static async Task<string> SignedInCookieAsync(EmulatorServer server, string username, string uri = AppPath)
    {
        var start = await AuthCaddyAsync(server, uri);
        var cookie = OutpostCookie(server, start)!;
        var callback = await SignInAsync(server, start.Header("Location")!, username, cookie);
        Assert.Equal(302, callback.Status);
        return OutpostCookie(server, callback)!;
    }

    public static JsonElement Json(RawResponse response) => JsonDocument.Parse(response.Body).RootElement.Clone();
}
