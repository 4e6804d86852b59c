using Microsoft.Playwright;

namespace Portcullis.Browser.Infrastructure;

/// <summary>
/// Debian's Chromium, driven by Playwright's driver from the NuGet package: no browser is
/// downloaded. Playwright's LaunchAsync gives every launch a fresh temporary profile.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Fails (never skips) when the browser is missing: a skipped browser test would read as a pass.</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"{ExecutablePath} not found: install Debian's chromium (apt-get install chromium) — .ci/run does.");
        }
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Timeout = 30_000,
        // Root in a container: no sandbox. The rest keeps Chromium off the network and quiet.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}
