using Portcullis.Check.Tests.Common;

namespace Portcullis.Check.Tests.Functional;

public class PortcullisDeploymentTests
{
    [Fact]
    public async Task Run_PortcullisInFrontOfEmulator_EveryCheckPasses()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestDeployments.StartEmulatorAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);

        var report = await DeploymentChecker.RunAsync(
            TestDeployments.LocalhostOptions(portcullis.Addresses.Https[0], portcullis.Addresses.Http[0], certificates), TestDeployments.Timeout());

        var text = CheckReportFormatter.ToText(report);
        Assert.Equal(CheckIds.All, report.Results.Select(result => result.Id));
        Assert.All(report.Results.Where(result => result.Id is not (CheckIds.WebSocketIdle or CheckIds.LargeCookie or CheckIds.CsrfOrigin)),
            result => Assert.True(result.Status == CheckStatus.Pass, $"{result.Id}: {result.Status}\n{text}"));
        Assert.Equal(CheckStatus.Skip, report.Find(CheckIds.WebSocketIdle)!.Status);
        Assert.Contains("--long", report.Find(CheckIds.WebSocketIdle)!.Detail);
        // large-cookie and csrf-origin fail today for reasons outside the checker (the two skipped
        // tests below); HasFailure is asserted false there once both are fixed.
        // Both WebSocket round trips delivered the checker's close code to the upstream.
        Assert.Equal([4000, 4000], emulator.ReceivedCloseCodes);
    }

    [Fact]
    public async Task Run_PortcullisInFrontOfEmulator_LargeCookiePasses()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestDeployments.StartEmulatorAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);

        var report = await DeploymentChecker.RunAsync(
            TestDeployments.LocalhostOptions(portcullis.Addresses.Https[0], portcullis.Addresses.Http[0], certificates), TestDeployments.Timeout());

        var cookie = report.Find(CheckIds.LargeCookie)!;
        Assert.True(cookie.Status == CheckStatus.Pass, cookie.Detail);
    }

    [Fact]
    public async Task Run_PortcullisInFrontOfEmulator_CsrfPostPasses()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestDeployments.StartEmulatorAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);

        var report = await DeploymentChecker.RunAsync(
            TestDeployments.LocalhostOptions(portcullis.Addresses.Https[0], portcullis.Addresses.Http[0], certificates), TestDeployments.Timeout());

        var csrf = report.Find(CheckIds.CsrfOrigin)!;
        Assert.True(csrf.Status == CheckStatus.Pass, csrf.Detail);
        // With this and the large cookie fixed, nothing fails: `portcullis check` exits 0.
        Assert.False(report.HasFailure, CheckReportFormatter.ToText(report));
    }

    [Fact]
    public async Task Run_LongWithShortIdle_IdleWebSocketPasses()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestDeployments.StartEmulatorAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);
        var options = TestDeployments.LocalhostOptions(portcullis.Addresses.Https[0], portcullis.Addresses.Http[0], certificates) with
        {
            Long = true,
            IdleDuration = TimeSpan.FromSeconds(1),
        };

        var report = await DeploymentChecker.RunAsync(options, TestDeployments.Timeout());

        var idle = report.Find(CheckIds.WebSocketIdle)!;
        Assert.True(idle.Status == CheckStatus.Pass, idle.Detail);
        Assert.Contains("echo answered", idle.Detail);
    }
}
