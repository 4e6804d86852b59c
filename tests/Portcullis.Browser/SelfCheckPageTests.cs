using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Portcullis.Browser.Infrastructure;
using Xunit.Abstractions;

namespace Portcullis.Browser;

/// <summary>
/// Debian's Chromium, headless, opens the emulator's self-check page (src/Portcullis.Emulator/IndexPage)
/// and the page's own JavaScript judges what authentik would see: scheme, host, client IP,
/// WebSocket echo and a CSRF-protected POST.
/// </summary>
public sealed class SelfCheckPageTests(ITestOutputHelper output)
{
    private static readonly string[] CheckIds = ["check-proto", "check-host", "check-ip", "check-ws", "check-csrf"];
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Through_Portcullis_over_HTTPS_and_HTTP2_every_check_is_green()
    {
        Chromium.RequireInstalled();
        await using var stack = await ProxiedEmulator.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        // Portcullis's certificate is self-signed (generated into data_dir): accepted for this context only.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var diagnostics = Watch(page);

        // The emulator's HELLO reports the protocol of the request it accepted: Portcullis's upstream leg.
        var hello = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text is { } text && text.Contains("\"instruction\"", StringComparison.Ordinal))
            {
                hello.TrySetResult(JsonDocument.Parse(text).RootElement.Clone());
            }
        };

        try
        {
            var response = await page.GotoAsync(stack.SiteUrl.ToString(), new PageGotoOptions { Timeout = (float)Bounded.TotalMilliseconds });
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            var results = await WaitForChecksAsync(page);
            var screenshot = await ScreenshotAsync(page, "self-check-through-portcullis.png");

            Assert.True(results.Summary == "all checks passed", $"#summary says \"{results.Summary}\"\n{results}\n{diagnostics}\n{ProxyLog(stack)}");
            foreach (var id in CheckIds)
            {
                Assert.True(results.Classes[id].Split(' ').Contains("pass"), $"#{id} is not green\n{results}");
            }

            // Browser → Portcullis: the document and the page's fetches came over HTTP/2.
            var navigation = await page.EvaluateAsync<string>("performance.getEntriesByType('navigation')[0].nextHopProtocol");
            Assert.Equal("h2", navigation);
            var fetches = await page.EvaluateAsync<string[]>("performance.getEntriesByType('resource').map(e => e.name + ' ' + e.nextHopProtocol)");
            Assert.NotEmpty(fetches);
            Assert.All(fetches, entry => Assert.EndsWith(" h2", entry));

            // Browser → Portcullis for wss://: Chromium uses RFC 8441 (extended CONNECT on the page's
            // HTTP/2 connection) once the server advertises SETTINGS_ENABLE_CONNECT_PROTOCOL. The access
            // log line is written when the socket ends; the page closes it with 1000 after the echo.
            var wsLine = await stack.AccessLog.WaitForLineAsync(line => line.Contains("\"path\":\"/ws/client/\"", StringComparison.Ordinal), Bounded);
            using var wsEntry = JsonDocument.Parse(wsLine);
            var browserLeg = $"{wsEntry.RootElement.GetProperty("method").GetString()} {wsEntry.RootElement.GetProperty("protocol").GetString()}";

            // Portcullis → emulator (HTTPS upstream, pinned certificate): HTTP/1.1 by design, for
            // requests (the guide's proxy_http_version 1.1) and for WebSockets (an HTTP/1.1 Upgrade,
            // the one authentik speaks), whatever the browser used.
            var helloMessage = await hello.Task.WaitAsync(Bounded);
            var upstreamLeg = helloMessage.GetProperty("args").GetProperty("http_version").GetString();

            // The page's close reached the emulator through Portcullis.
            var closeCodes = await WaitForCloseCodeAsync(stack, 1000);

            output.WriteLine($"screenshot: {screenshot}");
            output.WriteLine($"document and fetches: {navigation}; {string.Join(", ", fetches)}");
            output.WriteLine($"WebSocket browser → Portcullis: {browserLeg} (access log: {wsLine})");
            output.WriteLine($"WebSocket Portcullis → emulator: {upstreamLeg} (HELLO: {helloMessage})");
            output.WriteLine($"close codes the emulator received: {string.Join(", ", closeCodes)}");
            output.WriteLine(results.ToString());

            // What the page shows under "What authentik saw": the system view as the emulator judged it.
            using var system = JsonDocument.Parse(await page.Locator("#system").TextContentAsync() ?? "");
            output.WriteLine($"system view: scheme {system.RootElement.GetProperty("scheme")}, http_version {system.RootElement.GetProperty("http_version")}, client_ip {system.RootElement.GetProperty("client_ip")}, peer_ip {system.RootElement.GetProperty("peer_ip")}");

            Assert.Equal("CONNECT HTTP/2", browserLeg);
            Assert.Equal("HTTP/1.1", upstreamLeg);
            Assert.Equal("HTTP/1.1", system.RootElement.GetProperty("http_version").GetString());
            Assert.Equal("https", system.RootElement.GetProperty("scheme").GetString());
            Assert.Equal("127.0.0.1", system.RootElement.GetProperty("client_ip").GetString());
            Assert.Equal("::1", system.RootElement.GetProperty("peer_ip").GetString());
            Assert.Equal([1000], closeCodes);
            Assert.Empty(diagnostics.PageErrors);
        }
        catch
        {
            output.WriteLine(diagnostics.ToString());
            output.WriteLine(ProxyLog(stack));
            throw;
        }
    }

    [Fact]
    public async Task Straight_to_the_emulator_over_plain_HTTP_the_page_shows_red()
    {
        // No proxy: the page must be able to fail. authentik trusts loopback as a proxy, so from
        // 127.0.0.1 with no X-Forwarded-* it computes http (proto red) and takes the peer for the
        // client (ip red); host, WebSocket and CSRF are self-consistent over plain HTTP and pass.
        Chromium.RequireInstalled();
        await using var stack = await ProxiedEmulator.StartAsync(withProxy: false);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var diagnostics = Watch(page);
        try
        {
            var url = stack.Emulator.HttpUrls[0];
            var response = await page.GotoAsync(url.ToString(), new PageGotoOptions { Timeout = (float)Bounded.TotalMilliseconds });
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            var results = await WaitForChecksAsync(page);
            var screenshot = await ScreenshotAsync(page, "self-check-direct-http.png");
            output.WriteLine($"screenshot: {screenshot}");
            output.WriteLine(results.ToString());

            Assert.Contains("fail", results.Classes["check-proto"].Split(' '));
            Assert.Contains("fail", results.Classes["check-ip"].Split(' '));
            foreach (var id in new[] { "check-host", "check-ws", "check-csrf" })
            {
                Assert.True(results.Classes[id].Split(' ').Contains("pass"), $"#{id} is not green\n{results}");
            }

            Assert.Equal("2 of 5 checks failed", results.Summary);
            Assert.Equal("http/1.1", await page.EvaluateAsync<string>("performance.getEntriesByType('navigation')[0].nextHopProtocol"));
        }
        catch
        {
            output.WriteLine(diagnostics.ToString());
            throw;
        }
    }

    /// <summary>Waits (bounded) until the page has judged all five checks, then reads each line.</summary>
    private static async Task<CheckResults> WaitForChecksAsync(IPage page)
    {
        await page.WaitForFunctionAsync(
            "ids => ids.every(id => { const c = document.getElementById(id).classList; return c.contains('pass') || c.contains('fail'); })",
            CheckIds,
            new PageWaitForFunctionOptions { Timeout = (float)Bounded.TotalMilliseconds });
        var classes = new Dictionary<string, string>();
        var details = new Dictionary<string, string>();
        foreach (var id in CheckIds)
        {
            var line = page.Locator("#" + id);
            classes[id] = await line.GetAttributeAsync("class") ?? "";
            details[id] = (await line.InnerTextAsync()).Trim();
        }

        var summary = (await page.Locator("#summary").InnerTextAsync()).Trim();
        return new CheckResults(summary, classes, details);
    }

    private static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Artifacts.Directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static async Task<IReadOnlyList<int>> WaitForCloseCodeAsync(ProxiedEmulator stack, int code)
    {
        using var timeout = new CancellationTokenSource(Bounded);
        while (!stack.Emulator.ReceivedCloseCodes.Contains(code))
        {
            await Task.Delay(50, timeout.Token);
        }

        return stack.Emulator.ReceivedCloseCodes;
    }

    private static PageDiagnostics Watch(IPage page)
    {
        var diagnostics = new PageDiagnostics();
        page.Console += (_, message) => diagnostics.Console.Enqueue($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => diagnostics.PageErrors.Enqueue(error);
        page.RequestFailed += (_, request) => diagnostics.Console.Enqueue($"request failed: {request.Method} {request.Url}: {request.Failure}");
        return diagnostics;
    }

    private static string ProxyLog(ProxiedEmulator stack) =>
        "Portcullis log:\n  " + string.Join("\n  ", stack.Log.Lines) + "\naccess log:\n  " + string.Join("\n  ", stack.AccessLog.Lines);

    private sealed record CheckResults(string Summary, IReadOnlyDictionary<string, string> Classes, IReadOnlyDictionary<string, string> Details)
    {
        public override string ToString() =>
            $"summary: {Summary}\n" + string.Join("\n", CheckIds.Select(id => $"  #{id} [{Classes[id]}] {Details[id]}"));
    }

    private sealed class PageDiagnostics
    {
        public ConcurrentQueue<string> Console { get; } = new();

        public ConcurrentQueue<string> PageErrors { get; } = new();

        public override string ToString() =>
            "browser console:\n  " + string.Join("\n  ", Console) + "\npage errors:\n  " + string.Join("\n  ", PageErrors);
    }
}
