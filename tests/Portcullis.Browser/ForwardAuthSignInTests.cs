using System.Text.Json;
using Microsoft.Playwright;
using Portcullis.Browser.Infrastructure;

namespace Portcullis.Browser;

/// <summary>
/// Debian's Chromium, headless, opens an app that Portcullis protects with forward auth (the
/// emulator as authentik's outpost and as the app): it is sent to the outpost's sign-in on the
/// app's own host, signs in on the sign-in page, and lands on the page it asked for, as the user.
/// </summary>
public sealed class ForwardAuthSignInTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ProtectedApp_SignInThroughTheOutpost_LandsOnTheAppAsTheUser()
    {
        Chromium.RequireInstalled();
        var proxy = await PortcullisInstance.StartAsync("log: { format: json }\n" + "sites:\n  - hosts: [localhost]\n    routes: [{ path: /, upstream: \"http://127.0.0.1:1\" }]\n");
        await using var _ = proxy;
        await using var emulator = await TestEmulator.StartAsync(options => options with { OutpostExternalHost = $"https://localhost:{proxy.HttpsPort}" });
        var outpost = emulator.HttpUrls[0].GetLeftPart(UriPartial.Authority);
        var errors = await proxy.RewriteConfigAsync($$"""
            log: { format: json }
            sites:
              - hosts: [localhost]
                forward_auth: { outpost: "{{outpost}}" }
                routes: [{ path: /, upstream: "{{outpost}}" }]
            """);
        Assert.Empty(errors);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        var wanted = proxy.Https("localhost", "/api/v3/emulator/app/reports/?week=48");

        await page.GotoAsync(wanted.ToString(), new PageGotoOptions { Timeout = (float)Bounded.TotalMilliseconds });
        await page.WaitForSelectorAsync("#portcullis-emulator-sign-in", new PageWaitForSelectorOptions { Timeout = (float)Bounded.TotalMilliseconds });
        var signInPage = new Uri(page.Url);
        await page.FillAsync("input[name=username]", "alice");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(wanted.ToString(), new PageWaitForURLOptions { Timeout = (float)Bounded.TotalMilliseconds });
        var report = JsonDocument.Parse(await page.InnerTextAsync("body")).RootElement;
        var path = Path.Combine(Artifacts.Directory, "forward-auth-signed-in.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });

        // The sign-in page is authentik's (the emulator's own address), not the app's host.
        Assert.Equal(emulator.HttpUrls[0].Authority, signInPage.Authority);
        Assert.Equal("alice", report.GetProperty("user").GetString());
        Assert.All(report.GetProperty("identity_headers").EnumerateArray(), header => Assert.Equal("outpost", header.GetProperty("from").GetString()));
        var cookies = await context.CookiesAsync([proxy.Https("localhost").ToString()]);
        Assert.Contains(cookies, cookie => cookie.Name == emulator.OutpostCookieName);
        await proxy.AccessLog.WaitForLineAsync(line => line.Contains("\"user\":\"alice\"", StringComparison.Ordinal), Bounded);
    }
}
