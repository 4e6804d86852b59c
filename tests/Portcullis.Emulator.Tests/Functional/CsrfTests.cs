using System.Net;
using System.Text.Json;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Functional;

public class CsrfTests
{
    private const string CsrfPath = "/api/v3/emulator/csrf/";

    [Fact]
    public async Task Post_OriginEqualsComputedOrigin_Passes()
    {
        await using var server = await TestEmulator.StartAsync();
        var token = await GetTokenAsync(server);
        var origin = $"http://127.0.0.1:{server.HttpUrls[0].Port}";

        var response = await PostAsync(server, token, [$"Host: 127.0.0.1:{server.HttpUrls[0].Port}", $"Origin: {origin}"]);

        Assert.Equal(200, response.Status);
        using var body = JsonDocument.Parse(response.Body);
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(origin, body.RootElement.GetProperty("origin").GetString());
        Assert.Equal(origin, body.RootElement.GetProperty("computed").GetString());
    }

    [Fact]
    public async Task Post_BehindTlsProxyThatSetsProtoAndHost_Passes()
    {
        await using var server = await TestEmulator.StartAsync();
        var token = await GetTokenAsync(server);

        var response = await PostAsync(server, token,
        [
            "Host: 127.0.0.1",
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: auth.example.com",
            "Origin: https://auth.example.com",
        ]);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Post_ProxyDroppedXForwardedProto_FailsWithDjangosOriginMessage()
    {
        await using var server = await TestEmulator.StartAsync();
        var token = await GetTokenAsync(server);

        var response = await PostAsync(server, token, ["Host: auth.example.com", "Origin: https://auth.example.com"]);

        Assert.Equal(403, response.Status);
        Assert.Contains("CSRF Failed: Origin checking failed - https://auth.example.com does not match any trusted origins.", response.Body);
    }

    [Fact]
    public async Task Post_HttpsWithoutOriginOrReferer_FailsWithDjangosRefererMessage()
    {
        await using var server = await TestEmulator.StartAsync();
        var token = await GetTokenAsync(server);
        using var client = TestEmulator.Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, TestEmulator.Https(server, CsrfPath));
        request.Headers.Add("Cookie", $"authentik_csrf={token}");
        request.Headers.Add("X-authentik-CSRF", token);

        using var response = await client.SendAsync(request, TestEmulator.TimeoutToken());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("CSRF Failed: Referer checking failed - no Referer.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_HeaderDoesNotMatchCookie_Fails()
    {
        await using var server = await TestEmulator.StartAsync();
        var token = await GetTokenAsync(server);

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "POST", CsrfPath,
        [
            "Host: 127.0.0.1",
            $"Cookie: authentik_csrf={token}",
            $"X-authentik-CSRF: {new string('x', 32)}",
        ]);

        Assert.Equal(403, response.Status);
        Assert.Contains("CSRF Failed: CSRF token from the 'X-Authentik-Csrf' HTTP header incorrect.", response.Body);
    }

    private static async Task<string> GetTokenAsync(EmulatorServer server)
    {
        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", CsrfPath, ["Host: 127.0.0.1"]);
        using var body = JsonDocument.Parse(response.Body);
        var token = body.RootElement.GetProperty("token").GetString()!;
        Assert.StartsWith($"authentik_csrf={token};", response.Header("Set-Cookie"));
        return token;
    }

    private static Task<RawResponse> PostAsync(EmulatorServer server, string token, IEnumerable<string> headers) =>
        RawHttp.SendAsync(server.HttpUrls[0], "POST", CsrfPath,
            headers.Concat([$"Cookie: authentik_csrf={token}", $"X-authentik-CSRF: {token}", "Content-Type: application/json"]),
            "{}");
}
