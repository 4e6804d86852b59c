using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeIssuerTests : IDisposable
{
    private static readonly string[] Hosts = ["sso.example.com", "auth.example.com"];
    private readonly TempDirectory _directory = new();
    private readonly Http01ChallengeResponder _responder;
    private readonly FakeAcmeServer _server;
    private readonly HttpClient _http;
    private readonly MutableClock _clock = new();

    public AcmeIssuerTests()
    {
        _responder = new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(_directory.Path));
        _server = new FakeAcmeServer(_responder);
        _http = _server.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task EnsureCertificateAsync_NothingStored_OrdersStoresAndRaisesEvent()
    {
        using var issuer = NewIssuer();
        var raised = new List<AcmeCertificate>();
        issuer.CertificateChanged += raised.Add;

        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.True(certificate.Covers(Hosts));
        Assert.Same(certificate, Assert.Single(raised));
        Assert.Equal(1, _server.NewOrders);
        var store = new AcmeStore(_directory.Path, FakeAcmeServer.DirectoryUrl);
        Assert.Equal(certificate.Leaf.Thumbprint, store.LoadCertificate(Hosts)!.Leaf.Thumbprint);
        using var withKey = certificate.CreateCertificateWithKey();
        Assert.True(withKey.HasPrivateKey);
        var served = certificate.ToServerCertificate();
        Assert.True(served.Leaf.HasPrivateKey);
        Assert.Equal(certificate.Leaf.Thumbprint, served.Leaf.Thumbprint);
        Assert.Single(certificate.CreateIntermediates()); // the fake CA's certificate follows the leaf
    }

    [Fact]
    public async Task EnsureCertificateAsync_NothingStored_KeysAreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        using var issuer = NewIssuer();
        await issuer.EnsureCertificateAsync(CancellationToken.None);

        var store = new AcmeStore(_directory.Path, FakeAcmeServer.DirectoryUrl);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.AccountKeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store.SiteDirectory(Hosts), "privkey.pem")));
        Assert.Empty(Directory.GetFiles(store.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task EnsureCertificateAsync_SecondIssuerOnSameDirectory_LoadsWithoutOrdering()
    {
        using var first = NewIssuer();
        var issued = await first.EnsureCertificateAsync(CancellationToken.None);
        var requestsBefore = _server.Requests.Count;

        using var restarted = NewIssuer();
        var raised = new List<AcmeCertificate>();
        restarted.CertificateChanged += raised.Add;
        var loaded = await restarted.EnsureCertificateAsync(CancellationToken.None);

        Assert.Equal(issued.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.Single(raised);
        Assert.Equal(1, _server.NewOrders);
        Assert.Equal(0, restarted.OrdersPlaced);
        Assert.DoesNotContain(_server.Requests.Skip(requestsBefore), r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureCertificateAsync_StoredForOtherHosts_Orders()
    {
        using (var other = NewIssuer(["other.example.com"]))
        {
            await other.EnsureCertificateAsync(CancellationToken.None);
        }

        using var issuer = NewIssuer();
        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.True(certificate.Covers(Hosts));
        Assert.Equal(2, _server.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_NotYetDue_ReturnsCurrentWithoutOrdering()
    {
        using var issuer = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        _clock.Offset = TimeSpan.FromDays(50);

        var second = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(1, _server.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_AThirdOfLifetimeLeft_RenewsAndRaisesEvent()
    {
        using var issuer = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        var raised = new List<AcmeCertificate>();
        issuer.CertificateChanged += raised.Add;
        _clock.Offset = TimeSpan.FromDays(61);

        var renewed = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.NotEqual(first.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        Assert.Same(renewed, Assert.Single(raised));
        Assert.Equal(2, _server.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_RenewalChallengeFails_KeepsOldCertificateAndBacksOff()
    {
        using var issuer = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        _clock.Offset = TimeSpan.FromDays(61);
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = "refused" };

        var kept = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.Same(first, kept);
        var error = Assert.IsType<AcmeProblemException>(issuer.LastError);
        Assert.StartsWith("port 80 of", error.Message);
        Assert.Equal(1, issuer.ConsecutiveFailures);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(1), issuer.NextAttemptAt, TimeSpan.FromSeconds(5));

        // Within the backoff: no new order.
        await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.Equal(2, _server.NewOrders);

        // After it: tried again, fails again, waits twice as long.
        _clock.Offset += TimeSpan.FromMinutes(2);
        await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.Equal(3, _server.NewOrders);
        Assert.Equal(2, issuer.ConsecutiveFailures);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), issuer.NextAttemptAt, TimeSpan.FromSeconds(5));

        // The problem fixed: the next attempt after the backoff renews and clears the failure.
        _server.ChallengeProblem = null;
        _clock.Offset += TimeSpan.FromMinutes(3);
        var renewed = await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.NotEqual(first.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        Assert.Null(issuer.LastError);
        Assert.Equal(0, issuer.ConsecutiveFailures);
    }

    [Fact]
    public async Task EnsureCertificateAsync_FirstOrderFails_ThrowsAndThrowsAgainDuringBackoff()
    {
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "dns", Detail = "NXDOMAIN" };
        using var issuer = NewIssuer();

        var first = await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));
        var again = await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));

        Assert.StartsWith("DNS for sso.example.com does not resolve", first.Message);
        Assert.Same(first, again);
        Assert.Null(issuer.Current);
        Assert.Equal(1, _server.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_PreferredChallengeFails_NextAttemptAfterTheBackoffTriesTheOther()
    {
        // Port 80 closed: http-01 fails, tls-alpn-01 (RFC 8737) gets the certificate next time.
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = "Connection refused" };
        _server.ChallengeProblemType = AcmeChallenge.Http01;
        using var issuer = NewIssuer(["sso.example.com"], [_responder, _server.TlsAlpnResponder]);

        var failure = await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));
        Assert.StartsWith("port 80 of sso.example.com is not reachable", failure.Message);
        Assert.Equal("tls-alpn-01", issuer.PreferredChallenge);
        _clock.Offset += TimeSpan.FromMinutes(2);
        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.True(certificate.Covers(["sso.example.com"]));
        Assert.Equal(["http-01", "tls-alpn-01"], _server.AnsweredChallenges);
        Assert.Equal("tls-alpn-01", issuer.PreferredChallenge); // a success keeps the one that worked
    }

    [Fact]
    public async Task EnsureCertificateAsync_FailureNotAValidation_KeepsThePreferredChallenge()
    {
        _server.NewOrderProblem = (new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "serverInternal", Detail = "down" }, TimeSpan.Zero);
        using var issuer = NewIssuer(["sso.example.com"], [_responder, _server.TlsAlpnResponder]);

        await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));

        Assert.Equal("http-01", issuer.PreferredChallenge);
    }

    [Fact]
    public async Task EnsureCertificateAsync_RateLimitedWithRetryAfter_BacksOffAtLeastThatLong()
    {
        _server.NewOrderProblem = (new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "rateLimited", Detail = "too many" }, TimeSpan.FromHours(3));
        using var issuer = NewIssuer();

        await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));

        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(3), issuer.NextAttemptAt, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EnsureCertificateAsync_RenewalInfoWindowPassed_RenewsEarlyAndSendsReplaces()
    {
        _server.RenewalWindow = new AcmeRenewalWindow(DateTimeOffset.UtcNow.AddDays(1000), DateTimeOffset.UtcNow.AddDays(1001));
        using var issuer = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.Equal(1, _server.RenewalInfoRequests);

        // The CA moves the window into the past (a revocation is coming): renew at the next check.
        _server.RenewalWindow = new AcmeRenewalWindow(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1));
        _clock.Offset = TimeSpan.FromHours(7); // past the Retry-After (6 h) of the first answer, far from day 54
        var renewed = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.NotEqual(first.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        Assert.Equal(2, _server.NewOrders);
        Assert.Equal(AcmeCertificateId.For(first.Leaf), _server.Replaces[1]);
    }

    [Fact]
    public async Task EnsureCertificateAsync_CaSaysAlreadyReplaced_OrdersAgainWithoutReplaces()
    {
        _server.RenewalWindow = new AcmeRenewalWindow(DateTimeOffset.UtcNow.AddDays(1000), DateTimeOffset.UtcNow.AddDays(1001));
        using var issuer = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        _server.AlreadyReplaced = true;
        _clock.Offset = TimeSpan.FromDays(61);

        var renewed = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.NotEqual(first.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        Assert.Null(issuer.LastError);
        Assert.Equal([null, AcmeCertificateId.For(first.Leaf), null], _server.Replaces);
    }

    [Fact]
    public async Task EnsureCertificateAsync_RenewalInfoWindowAhead_WaitsForIt()
    {
        _server.RenewalWindow = new AcmeRenewalWindow(DateTimeOffset.UtcNow.AddDays(20), DateTimeOffset.UtcNow.AddDays(21));
        using var issuer = NewIssuer();
        await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.InRange(issuer.RenewAt!.Value, DateTimeOffset.UtcNow.AddDays(20), DateTimeOffset.UtcNow.AddDays(21));
        _clock.Offset = TimeSpan.FromDays(10);
        await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.Equal(1, _server.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_TwoIssuersAtOnceOnSameDirectory_OneOrder()
    {
        _server.PendingPolls = 3;
        using var first = NewIssuer();
        using var second = NewIssuer();

        var certificates = await Task.WhenAll(first.EnsureCertificateAsync(CancellationToken.None), second.EnsureCertificateAsync(CancellationToken.None));

        Assert.Equal(certificates[0].Leaf.Thumbprint, certificates[1].Leaf.Thumbprint);
        Assert.Equal(1, _server.NewOrders);
        Assert.Equal(1, first.OrdersPlaced + second.OrdersPlaced);
    }

    [Fact]
    public async Task EnsureCertificateAsync_DamagedStoredKey_OrdersAnew()
    {
        using (var first = NewIssuer())
        {
            await first.EnsureCertificateAsync(CancellationToken.None);
        }

        var store = new AcmeStore(_directory.Path, FakeAcmeServer.DirectoryUrl);
        File.WriteAllText(Path.Combine(store.SiteDirectory(Hosts), "privkey.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        using var restarted = NewIssuer();
        await restarted.EnsureCertificateAsync(CancellationToken.None);

        Assert.Equal(2, _server.NewOrders);
        Assert.Equal(1, restarted.OrdersPlaced);
    }

    [Fact]
    public async Task RunAsync_NothingStored_RaisesEventAndStopsWhenCancelled()
    {
        using var issuer = NewIssuer();
        var issued = new TaskCompletionSource<AcmeCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
        issuer.CertificateChanged += certificate => issued.TrySetResult(certificate);
        using var stop = new CancellationTokenSource();

        var running = issuer.RunAsync(stop.Token);
        var certificate = await issued.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(certificate.Covers(Hosts));
        Assert.Equal(1, _server.NewOrders);
    }

    [Fact]
    public async Task UntilNextCheck_CurrentNotDue_SleepsAtMostAnHour()
    {
        using var issuer = NewIssuer();
        await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromHours(1), issuer.UntilNextCheck(_clock.GetUtcNow()));
        Assert.Equal(TimeSpan.FromMinutes(10), issuer.UntilNextCheck(issuer.RenewAt!.Value - TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public async Task UntilNextCheck_FailedAndBackingOff_UntilTheBackoffEnds()
    {
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "dns" };
        using var issuer = NewIssuer();
        await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));

        Assert.InRange(issuer.UntilNextCheck(_clock.GetUtcNow()), TimeSpan.FromSeconds(55), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Constructor_WildcardHost_ThrowsNamingDns01()
    {
        var exception = Assert.Throws<ArgumentException>(() => NewIssuer(["*.example.com"]));

        Assert.Contains("dns-01", exception.Message);
    }

    [Fact]
    public async Task EnsureCertificateAsync_SubscriberThrows_CertificateStillCurrent()
    {
        using var issuer = NewIssuer();
        issuer.CertificateChanged += _ => throw new InvalidOperationException("subscriber bug");

        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.Same(certificate, issuer.Current);
    }

    private AcmeIssuer NewIssuer(string[]? hosts = null, AcmeChallengeResponder[]? responders = null) => new(
        new AcmeIssuerOptions
        {
            DirectoryUrl = FakeAcmeServer.DirectoryUrl,
            DataDirectory = _directory.Path,
            HttpClient = _http,
            Client = new AcmeClientOptions { PollInterval = TimeSpan.Zero, TimeProvider = _clock },
        },
        hosts ?? Hosts,
        responders ?? [_responder]);
}
