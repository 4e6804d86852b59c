using Portcullis.Check.Tests.Common;

namespace Portcullis.Check.Tests.Functional;

public class BrokenDeploymentTests
{
    private static readonly string[] Proxies = ["nginx:", "Caddy:", "Traefik:", "HAProxy:", "Portcullis:"];

    [Fact]
    public async Task Run_EmulatorWithoutProxy_RedirectHstsAndSpoofingFailWithFixes()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var report = await DeploymentChecker.RunAsync(new CheckOptions
        {
            Url = emulator.HttpsUrls[0],
            HttpUrl = emulator.HttpUrls[0],
            Insecure = true,
        }, TestDeployments.Timeout());

        var text = CheckReportFormatter.ToText(report);
        Assert.True(report.HasFailure);
        // The emulator's :9000 serves pages over HTTP, sets no HSTS, and (the checker being on
        // 127.0.0.1, inside authentik's default trusted CIDRs) believes every forged header.
        foreach (var id in new[] { CheckIds.HttpRedirect, CheckIds.Hsts, CheckIds.ClientIpSpoofXff, CheckIds.ClientIpSpoofXRealIp, CheckIds.ClientIpSpoofForwarded, CheckIds.ClientIpSpoofUnderscore })
        {
            var result = report.Find(id)!;
            Assert.True(result.Status == CheckStatus.Fail, $"{id}: {result.Status}\n{text}");
            Assert.All(Proxies, proxy => Assert.Contains(proxy, result.Fix));
        }

        Assert.Contains("answered 200", report.Find(CheckIds.HttpRedirect)!.Detail);
        Assert.Contains("add_header Strict-Transport-Security", report.Find(CheckIds.Hsts)!.Fix);
        Assert.Contains("for=6.6.6.6", report.Find(CheckIds.ClientIpSpoofForwarded)!.Detail);
        Assert.Contains("X_Forwarded_For: 6.6.6.6", report.Find(CheckIds.ClientIpSpoofUnderscore)!.Detail);
        // Its own HTTPS listener is HTTPS: authentik sees a secure request without any proxy.
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardedProto)!.Status);
        // authentik's default certificate (SAN "*") is accepted with Insecure, but reported.
        Assert.Equal(CheckStatus.Warn, report.Find(CheckIds.TlsCertificate)!.Status);
        Assert.Contains("FAIL  http-redirect", text);
    }

    [Fact]
    public async Task Run_ProxyAppendingToClientXForwardedFor_SpoofXffFails()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestEmulator.StartAsync();
        await using var proxy = await AppendingProxy.StartAsync(emulator.HttpsUrls[0], certificates);

        var report = await DeploymentChecker.RunAsync(Options(proxy, certificates), TestDeployments.Timeout());

        var spoof = report.Find(CheckIds.ClientIpSpoofXff)!;
        Assert.True(spoof.Status == CheckStatus.Fail, CheckReportFormatter.ToText(report));
        Assert.Contains("upstream concluded client IP 6.6.6.6", spoof.Detail);
        Assert.Contains("X-Forwarded-For: 6.6.6.6, 127.0.0.1", spoof.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("proxy_set_header X-Forwarded-For $remote_addr;", spoof.Fix);
        Assert.Contains("http-request set-header X-Forwarded-For %[src]", spoof.Fix);
        Assert.Contains("never forwardedHeaders.insecure", spoof.Fix);
        // Without a forged header the same proxy reports the right client.
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ClientIp)!.Status);
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardedProto)!.Status);
        Assert.Equal(CheckStatus.Fail, report.Find(CheckIds.HttpRedirect)!.Status);
    }

    [Fact]
    public async Task Run_ProxyWithoutXForwardedProto_ForwardedProtoAndCsrfFail()
    {
        using var certificates = TestCertificates.Create();
        await using var emulator = await TestEmulator.StartAsync();
        // To authentik's plain :9000, as the guide's nginx does: only X-Forwarded-Proto says https.
        await using var proxy = await AppendingProxy.StartAsync(emulator.HttpUrls[0], certificates, setForwardedProto: false);

        var report = await DeploymentChecker.RunAsync(Options(proxy, certificates), TestDeployments.Timeout());

        var proto = report.Find(CheckIds.ForwardedProto)!;
        Assert.True(proto.Status == CheckStatus.Fail, CheckReportFormatter.ToText(report));
        Assert.Contains("the proxy sent no X-Forwarded-Proto", proto.Detail);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", proto.Fix);
        Assert.All(Proxies, name => Assert.Contains(name, proto.Fix));
        var csrf = report.Find(CheckIds.CsrfOrigin)!;
        Assert.Equal(CheckStatus.Fail, csrf.Status);
        Assert.Contains("Origin checking failed", csrf.Detail);
    }

    private static CheckOptions Options(AppendingProxy proxy, TestCertificates certificates) => new()
    {
        Url = new UriBuilder(proxy.HttpsUrl) { Host = "localhost" }.Uri,
        // Nothing listens on the discard port: the proxy serves no plain HTTP.
        HttpUrl = new Uri("http://127.0.0.1:9"),
        CaFile = certificates.CaFile,
    };
}
