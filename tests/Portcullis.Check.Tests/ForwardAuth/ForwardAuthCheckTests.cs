using Portcullis.Check.Tests.Common;
using Portcullis.Emulator;

namespace Portcullis.Check.Tests.ForwardAuth;

public class ForwardAuthCheckTests
{
    private static readonly string[] Proxies = ["nginx:", "Caddy:", "Traefik:", "HAProxy:"];

    [Fact]
    public async Task Run_CorrectForwardAuthFrontEnd_EveryForwardAuthCheckPasses()
    {
        using var certificates = TestCertificates.Create();
        await using var deployment = await Deployment.StartAsync(certificates, new ForwardAuthFlaws());

        var report = await DeploymentChecker.RunAsync(deployment.Options(certificates), TestDeployments.Timeout());

        var text = CheckReportFormatter.ToText(report);
        Assert.Equal(CheckIds.ForwardAuth, report.Results.Select(result => result.Id));
        Assert.All(report.Results, result => Assert.True(result.Status == CheckStatus.Pass, $"{result.Id}: {result.Status}\n{text}"));
        Assert.False(report.HasFailure);
        Assert.Contains("X-Authentik-Username: portcullis-check-", report.Find(CheckIds.ForwardAuthUser)!.Detail);
        Assert.Contains(deployment.Emulator.OutpostCookieName, report.Find(CheckIds.ForwardAuthSignIn)!.Detail);
        Assert.Contains("opened as portcullis-check-", report.Find(CheckIds.ForwardAuthWebSocket)!.Detail);
    }

    [Fact]
    public async Task Run_FlawedForwardAuthFrontEnd_EachFlawFailsItsCheckWithAFixPerProxy()
    {
        using var certificates = TestCertificates.Create();
        await using var deployment = await Deployment.StartAsync(certificates, new ForwardAuthFlaws
        {
            KeepClientIdentityHeaders = true,
            TrustClientForwardedHeaders = true,
            FailOpen = true,
            UnprotectedWebSocket = true,
        });

        var report = await DeploymentChecker.RunAsync(deployment.Options(certificates), TestDeployments.Timeout());

        var text = CheckReportFormatter.ToText(report);
        string[] failing =
        [
            CheckIds.ForwardAuthForgedIdentity, CheckIds.ForwardAuthForgedIdentityPublic, CheckIds.ForwardAuthForwardedHost,
            CheckIds.ForwardAuthOriginalUri, CheckIds.ForwardAuthWebSocket, CheckIds.ForwardAuthOutpostDown,
        ];
        foreach (var id in failing)
        {
            var result = report.Find(id)!;
            Assert.True(result.Status == CheckStatus.Fail, $"{id}: {result.Status}\n{text}");
            Assert.All(Proxies, proxy => Assert.Contains(proxy, result.Fix));
        }

        // Signing in still works: the flaws are in what else gets through.
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardAuthRedirect)!.Status);
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardAuthSignIn)!.Status);
        Assert.Contains("X-authentik-username: forged-user-", report.Find(CheckIds.ForwardAuthForgedIdentity)!.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("returned to the forged host, an open redirect", report.Find(CheckIds.ForwardAuthForwardedHost)!.Detail);
        Assert.Contains("X-Forwarded-Uri", report.Find(CheckIds.ForwardAuthOriginalUri)!.Detail);
        Assert.Contains("without a session", report.Find(CheckIds.ForwardAuthWebSocket)!.Detail);
        Assert.Contains("fails open", report.Find(CheckIds.ForwardAuthOutpostDown)!.Detail);
        Assert.Contains("FAIL  forward-auth-outpost-down", text);
    }

    [Fact]
    public async Task Run_FrontEndWithoutAuth_RedirectAndSignInFail()
    {
        using var certificates = TestCertificates.Create();
        await using var deployment = await Deployment.StartAsync(certificates, new ForwardAuthFlaws { NoAuth = true });

        var report = await DeploymentChecker.RunAsync(deployment.Options(certificates), TestDeployments.Timeout());

        var redirect = report.Find(CheckIds.ForwardAuthRedirect)!;
        Assert.True(redirect.Status == CheckStatus.Fail, CheckReportFormatter.ToText(report));
        Assert.Contains("was served (200)", redirect.Detail);
        Assert.Contains("error_page 401 = @goauthentik_proxy_signin", redirect.Fix);
        Assert.Equal(CheckStatus.Fail, report.Find(CheckIds.ForwardAuthSignIn)!.Status);
        Assert.Equal(CheckStatus.Skip, report.Find(CheckIds.ForwardAuthUser)!.Status);
        Assert.Equal(CheckStatus.Fail, report.Find(CheckIds.ForwardAuthOriginalUri)!.Status);
        Assert.True(report.HasFailure);
    }

    [Fact]
    public async Task Run_FrontEndDropsTheOutpostsCookie_SignInFailsNamingTheCallback400()
    {
        using var certificates = TestCertificates.Create();
        await using var deployment = await Deployment.StartAsync(certificates, new ForwardAuthFlaws { DropAuthSetCookie = true });

        var report = await DeploymentChecker.RunAsync(deployment.Options(certificates), TestDeployments.Timeout());

        var signIn = report.Find(CheckIds.ForwardAuthSignIn)!;
        Assert.True(signIn.Status == CheckStatus.Fail, CheckReportFormatter.ToText(report));
        Assert.Contains("callback answered 400", signIn.Detail);
        Assert.Contains("add_header Set-Cookie $auth_cookie;", signIn.Fix);
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardAuthRedirect)!.Status);
        Assert.Equal(CheckStatus.Skip, report.Find(CheckIds.ForwardAuthUser)!.Status);
    }

    [Fact]
    public async Task Run_FrontEndAnswers401WithoutRedirect_RedirectWarns()
    {
        using var certificates = TestCertificates.Create();
        await using var deployment = await Deployment.StartAsync(certificates, new ForwardAuthFlaws { UnauthorizedInsteadOfRedirect = true });

        var report = await DeploymentChecker.RunAsync(deployment.Options(certificates), TestDeployments.Timeout());

        var redirect = report.Find(CheckIds.ForwardAuthRedirect)!;
        Assert.True(redirect.Status == CheckStatus.Warn, CheckReportFormatter.ToText(report));
        Assert.Contains("not served, but no redirect to sign in", redirect.Detail);
        Assert.Equal(CheckStatus.Fail, report.Find(CheckIds.ForwardAuthSignIn)!.Status);
        // Still closed: nothing forged gets through and the outpost-down probe is skipped, not passed.
        Assert.Equal(CheckStatus.Pass, report.Find(CheckIds.ForwardAuthOriginalUri)!.Status);
        Assert.Equal(CheckStatus.Skip, report.Find(CheckIds.ForwardAuthOutpostDown)!.Status);
    }

    [Fact]
    public async Task Run_ForwardAuthAgainstAppWithoutProxy_SignInFindsNoSignInPage()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { HttpAddresses = ["127.0.0.1:0"], HttpsAddresses = ["127.0.0.1:0"] });

        // The emulator's own HTTPS port: the app answers without any forward auth in front.
        var report = await DeploymentChecker.RunAsync(new CheckOptions { Url = emulator.HttpsUrls[0], ForwardAuth = true, Insecure = true }, TestDeployments.Timeout());

        Assert.Equal(CheckStatus.Fail, report.Find(CheckIds.ForwardAuthRedirect)!.Status);
        Assert.Contains("no way to a sign-in page", report.Find(CheckIds.ForwardAuthSignIn)!.Detail);
    }

    /// <summary>The front end on port 0, then the emulator with that port as its external host.</summary>
    private sealed class Deployment : IAsyncDisposable
    {
        private Deployment(ForwardAuthFrontEnd frontEnd, EmulatorServer emulator)
        {
            FrontEnd = frontEnd;
            Emulator = emulator;
        }

        public ForwardAuthFrontEnd FrontEnd { get; }

        public EmulatorServer Emulator { get; }

        public static async Task<Deployment> StartAsync(TestCertificates certificates, ForwardAuthFlaws flaws)
        {
            var frontEnd = await ForwardAuthFrontEnd.StartAsync(certificates, flaws);
            var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
            {
                HttpAddresses = ["127.0.0.1:0"],
                HttpsAddresses = [],
                OutpostExternalHost = frontEnd.HttpsUrl.GetLeftPart(UriPartial.Authority),
            });
            frontEnd.Upstream = emulator.HttpUrls[0];
            return new Deployment(frontEnd, emulator);
        }

        public CheckOptions Options(TestCertificates certificates) => new()
        {
            Url = FrontEnd.HttpsUrl,
            ForwardAuth = true,
            CaFile = certificates.CaFile,
            Timeout = TimeSpan.FromSeconds(10),
        };

        public async ValueTask DisposeAsync()
        {
            await FrontEnd.DisposeAsync();
            await Emulator.DisposeAsync();
        }
    }
}
