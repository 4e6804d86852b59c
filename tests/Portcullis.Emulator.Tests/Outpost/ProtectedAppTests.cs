using System.Text;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Outpost;

public class ProtectedAppTests
{
    [Fact]
    public async Task Report_ForgedHeaderWithoutSession_ReportedAsFromClient()
    {
        await using var server = await OutpostFlow.StartAsync();

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", OutpostFlow.AppPath + "page", ["Host: app.test", "X-authentik-username: mallory"]);

        Assert.Equal(200, response.Status);
        var report = OutpostFlow.Json(response);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.GetProperty("user").ValueKind);
        var header = Assert.Single(report.GetProperty("identity_headers").EnumerateArray());
        Assert.Equal("mallory", header.GetProperty("value").GetString());
        Assert.Equal("client", header.GetProperty("from").GetString());
    }

    [Fact]
    public async Task Report_IssuedHeadersWithSession_ReportsOutpostUserAndMissingHeaders()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");
        var auth = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath, cookie);
        var copied = new[] { "X-Authentik-Username", "X-Authentik-Groups" }.Select(name => $"{name}: {auth.Header(name)}");

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", OutpostFlow.AppPath, new[] { "Host: app.test", $"Cookie: {cookie}" }.Concat(copied));

        var report = OutpostFlow.Json(response);
        Assert.Equal("alice", report.GetProperty("user").GetString());
        Assert.Equal("alice", report.GetProperty("session_user").GetString());
        Assert.All(report.GetProperty("identity_headers").EnumerateArray(), header => Assert.Equal("outpost", header.GetProperty("from").GetString()));
        Assert.Equal(10, report.GetProperty("missing_headers").GetArrayLength());
    }

    [Fact]
    public async Task Report_ForgedAndIssuedUsernameBothArrive_NoUserAndForgedOneFromClient()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");

        var response = await RawHttp.SendAsync(server.HttpUrls[0], "GET", OutpostFlow.AppPath,
            ["Host: app.test", $"Cookie: {cookie}", "X-Authentik-Username: admin", "X-Authentik-Username: alice"]);

        var report = OutpostFlow.Json(response);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.GetProperty("user").ValueKind);
        var sources = report.GetProperty("identity_headers").EnumerateArray().Select(h => (h.GetProperty("value").GetString(), h.GetProperty("from").GetString())).ToList();
        Assert.Equal([("admin", "client"), ("alice", "outpost")], sources);
    }

    [Fact]
    public async Task WebSocket_Connect_HelloNamesUserTheAppSees()
    {
        await using var server = await OutpostFlow.StartAsync();
        var cookie = await OutpostFlow.SignedInCookieAsync(server, "alice");
        var auth = await OutpostFlow.AuthCaddyAsync(server, OutpostFlow.AppPath, cookie);

        using var socket = await WebSocketClient.ConnectAsync(server, TestEmulator.Ws(server, OutpostFlow.AppPath + "ws/"), options =>
        {
            options.SetRequestHeader("Cookie", cookie);
            options.SetRequestHeader("X-Authentik-Username", auth.Header("X-Authentik-Username"));
        });
        var hello = WebSocketClient.TryParseHello((await WebSocketClient.ReceiveAsync(socket)).Payload);
        await WebSocketClient.SendTextAsync(socket, "ping through forward auth");
        var echo = await WebSocketClient.ReceiveNonHelloAsync(socket);

        Assert.Equal("alice", hello!.Value.GetProperty("args").GetProperty("user").GetString());
        Assert.Equal("app", hello.Value.GetProperty("args").GetProperty("endpoint").GetString());
        Assert.Equal("ping through forward auth", Encoding.UTF8.GetString(echo.Payload));
    }
}
