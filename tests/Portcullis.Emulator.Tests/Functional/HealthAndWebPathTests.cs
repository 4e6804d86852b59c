using System.Net;
using Portcullis.Emulator.Tests.Common;

namespace Portcullis.Emulator.Tests.Functional;

public class HealthAndWebPathTests
{
    [Theory]
    [InlineData("/-/health/live/")]
    [InlineData("/-/health/ready/")]
    public async Task Health_OverHttpAndHttps_Returns200(string path)
    {
        await using var server = await TestEmulator.StartAsync();
        using var client = TestEmulator.Client(server);

        using var overHttp = await client.GetAsync(TestEmulator.Http(server, path), TestEmulator.TimeoutToken());
        using var overHttps = await client.GetAsync(TestEmulator.Https(server, path), TestEmulator.TimeoutToken());

        Assert.Equal(HttpStatusCode.OK, overHttp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, overHttps.StatusCode);
    }

    [Fact]
    public async Task WebPath_RootRedirectsWith302_AndEverythingIsMountedUnderIt()
    {
        await using var server = await TestEmulator.StartAsync(o => o with { WebPath = "/authentik/" });
        using var client = TestEmulator.Client(server);
        var ct = TestEmulator.TimeoutToken();

        using var root = await client.GetAsync(TestEmulator.Http(server, "/"), ct);
        using var live = await client.GetAsync(TestEmulator.Http(server, "/authentik/-/health/live/"), ct);
        using var unprefixed = await client.GetAsync(TestEmulator.Http(server, "/-/health/live/"), ct);
        using var index = await client.GetAsync(TestEmulator.Http(server, "/authentik/"), ct);
        var system = SystemView.Parse(await client.GetStringAsync(TestEmulator.Http(server, "/authentik/api/v3/admin/system/"), ct));

        Assert.Equal(HttpStatusCode.Found, root.StatusCode);
        Assert.Equal("/authentik/", root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unprefixed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("const WEB = \"/authentik/\";", await index.Content.ReadAsStringAsync(ct));
        Assert.Equal("/authentik/api/v3/admin/system/", system.Path);
    }

    [Fact]
    public async Task WebPath_Default_RootServesTheSelfCheckPage()
    {
        await using var server = await TestEmulator.StartAsync();
        using var client = TestEmulator.Client(server);

        using var response = await client.GetAsync(TestEmulator.Https(server, "/"), TestEmulator.TimeoutToken());
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        foreach (var id in new[] { "check-proto", "check-host", "check-ip", "check-ws", "check-csrf", "summary" })
        {
            Assert.Contains($"id=\"{id}\"", html);
        }

        Assert.Contains("all checks passed", html);
        // Self-contained: no external scripts, styles or images.
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotMatch("<link(?![^>]*href=\"data:)", html); // the favicon is an empty data: URL
        Assert.Contains("<link rel=\"icon\" href=\"data:,\">", html);
        Assert.DoesNotContain("<img", html);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => EmulatorServer.StartAsync(new EmulatorOptions
        {
            HttpAddresses = ["localhost:9000"],
            HttpsAddresses = ["127.0.0.1"],
            TrustedProxyCidrs = ["10.0.0.0/33"],
            WebPath = "authentik",
            HelloInterval = TimeSpan.Zero,
        }));

        Assert.Contains("HttpAddresses[0] \"localhost:9000\"", error.Message);
        Assert.Contains("HttpsAddresses[0] \"127.0.0.1\"", error.Message);
        Assert.Contains("TrustedProxyCidrs[0] \"10.0.0.0/33\"", error.Message);
        Assert.Contains("WebPath \"authentik\"", error.Message);
        Assert.Contains("HelloInterval", error.Message);
    }
}
