using Portcullis.Check.Tests.Common;

namespace Portcullis.Check.Tests.Functional;

public class PortcullisDeploymentTests
{
    [Fact]
    public async Task Run_PortcullisInFrontOfEmulator_EveryCheckPassesButTheLongOne()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestEmulator.StartAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);

        var report = await DeploymentChecker.RunAsync(
            TestDeployments.LocalhostOptions(portcullis.HttpsUrl, portcullis.HttpUrl, certificates), TestDeployments.Timeout());

        var text = CheckReportFormatter.ToText(report);
        Assert.Equal(CheckIds.All, report.Results.Select(result => result.Id));
        Assert.All(report.Results.Where(result => result.Id != CheckIds.WebSocketIdle),
            result => Assert.True(result.Status == CheckStatus.Pass, $"{result.Id}: {result.Status}\n{text}"));
        // The idle WebSocket needs --long (65 s); without it the check says so instead of passing.
        Assert.Equal(CheckStatus.Skip, report.Find(CheckIds.WebSocketIdle)!.Status);
        Assert.Contains("--long", report.Find(CheckIds.WebSocketIdle)!.Detail);
        // Nothing fails: `portcullis check` exits 0.
        Assert.False(report.HasFailure, text);
        // Both WebSocket round trips delivered the checker's close code to the upstream.
        Assert.Equal([4000, 4000], emulator.ReceivedCloseCodes);
    }

    [Fact]
    public async Task Run_LongWithShortIdle_IdleWebSocketPasses()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestEmulator.StartAsync();
        await using var portcullis = await TestDeployments.StartPortcullisAsync(emulator, certificates);
        var options = TestDeployments.LocalhostOptions(portcullis.HttpsUrl, portcullis.HttpUrl, certificates) with
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
