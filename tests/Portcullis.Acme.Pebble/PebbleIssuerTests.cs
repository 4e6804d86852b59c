using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Acme.Pebble.Infrastructure;
using Portcullis.Proxy.Tls.Acme;
using Xunit.Abstractions;

namespace Portcullis.Acme.Pebble;

/// <summary>
/// The issuer against pebble, a real ACME server: http-01 validated by pebble connecting to a
/// real Kestrel responder. Each test has its own pebble and data directory.
/// </summary>
public sealed class PebbleIssuerTests : IAsyncLifetime
{
    private static readonly string[] Hosts = ["sso.portcullis.test", "auth.portcullis.test"];
    private readonly ITestOutputHelper _output;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("portcullis-acme-").FullName;
    private readonly OffsetClock _clock = new();
    private readonly List<IDisposable> _disposables = [];
    private Http01ChallengeResponder _responder = null!;
    private ChallengeServer _challengeServer = null!;
    private PebbleServer _pebble = null!;

    public PebbleIssuerTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _responder = new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(_dataDirectory));
        _challengeServer = await ChallengeServer.StartAsync(_responder);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        await _challengeServer.DisposeAsync();
        if (_pebble is not null)
        {
            _output.WriteLine(_pebble.Log); // shown when the test fails
            await _pebble.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task EnsureCertificateAsync_FirstRun_IssuesOverHttp01AChainToPebblesRoot()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        var (issuer, _) = NewIssuer();
        var raised = new List<AcmeCertificate>();
        issuer.CertificateChanged += raised.Add;

        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.True(certificate.Covers(Hosts), string.Join(",", certificate.DnsNames()));
        Assert.Same(certificate, Assert.Single(raised));
        // pebble fetched each host's challenge from the responder, and got 200s
        Assert.Equal(Hosts.Order(), _challengeServer.Requests.Where(r => r.Status == 200).Select(r => r.Host).Distinct().Order());
        Assert.All(_challengeServer.Requests, r => Assert.StartsWith(Http01ChallengeResponder.PathPrefix, r.Path));
        // the chain leads to pebble's root
        using var root = await _pebble.GetRootAsync();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(certificate.CreateIntermediates());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        Assert.True(chain.Build(certificate.Leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        using var withKey = certificate.CreateCertificateWithKey();
        Assert.True(withKey.HasPrivateKey);
        // nothing left behind for other instances to serve
        Assert.Empty(Directory.GetFiles(Http01ChallengeResponder.DirectoryUnder(_dataDirectory)));
    }

    [Fact]
    public async Task EnsureCertificateAsync_Issued_ServedOverTlsTrustedForEveryHost()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        var (issuer, _) = NewIssuer();
        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);
        using var root = await _pebble.GetRootAsync();

        foreach (var host in Hosts)
        {
            Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), await TlsProbe.FetchAsync(certificate.ToServerCertificate(), host, root));
        }

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, (await TlsProbe.FetchAsync(certificate.ToServerCertificate(), "other.portcullis.test", root)).Errors);
    }

    [Fact]
    public async Task EnsureCertificateAsync_RestartOnSameDataDirectory_LoadsAndOrdersNothing()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        var (first, _) = NewIssuer();
        var issued = await first.EnsureCertificateAsync(CancellationToken.None);

        var (restarted, recorder) = NewIssuer();
        var loaded = await restarted.EnsureCertificateAsync(CancellationToken.None);

        Assert.Equal(issued.Leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.Equal(0, recorder.Posts);
        Assert.Equal(0, restarted.OrdersPlaced);
    }

    [Fact]
    public async Task EnsureCertificateAsync_ClockPastRenewalTime_RenewsWithSameAccountAndRaisesEvent()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port, validity: TimeSpan.FromDays(90));
        var (issuer, recorder) = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        Assert.InRange(issuer.RenewAt!.Value, first.NotBefore.AddDays(54), first.NotBefore.AddDays(60).AddMinutes(1));
        var raised = new List<AcmeCertificate>();
        issuer.CertificateChanged += raised.Add;
        var accountRequests = recorder.Requests.Count(r => r == "POST /sign-me-up");

        _clock.Offset = TimeSpan.FromDays(61);
        var renewed = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.NotEqual(first.Leaf.Thumbprint, renewed.Leaf.Thumbprint);
        Assert.True(renewed.Covers(Hosts));
        Assert.Same(renewed, Assert.Single(raised));
        Assert.Equal(2, recorder.NewOrders);
        Assert.Equal(2, accountRequests); // onlyReturnExisting, then the registration
        Assert.Equal(accountRequests, recorder.Requests.Count(r => r == "POST /sign-me-up")); // renewed on the same account
        var stored = new AcmeStore(_dataDirectory, _pebble.DirectoryUrl).LoadCertificate(Hosts);
        Assert.Equal(renewed.Leaf.Thumbprint, stored!.Leaf.Thumbprint);
    }

    [Fact]
    public async Task EnsureCertificateAsync_ChallengePortClosedAtRenewal_KeepsOldCertificateAndBacksOff()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        var (issuer, recorder) = NewIssuer();
        var first = await issuer.EnsureCertificateAsync(CancellationToken.None);
        await _challengeServer.StopAsync();
        _clock.Offset = TimeSpan.FromDays(61);

        var kept = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.Same(first, kept);
        var error = Assert.IsType<AcmeProblemException>(issuer.LastError);
        Assert.Equal("connection", error.ErrorName);
        Assert.Matches("^port 80 of (sso|auth)\\.portcullis\\.test is not reachable from the internet", error.Message);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(1), issuer.NextAttemptAt, TimeSpan.FromSeconds(30));
        Assert.Equal(first.Leaf.Thumbprint, new AcmeStore(_dataDirectory, _pebble.DirectoryUrl).LoadCertificate(Hosts)!.Leaf.Thumbprint);

        var ordersAfterFailure = recorder.NewOrders;
        Assert.Same(first, await issuer.EnsureCertificateAsync(CancellationToken.None));
        Assert.Equal(ordersAfterFailure, recorder.NewOrders); // backing off: no new order
    }

    [Fact]
    public async Task EnsureCertificateAsync_HostsDoNotResolve_ThrowsDnsMessageAndOrdersNothingDuringBackoff()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        await _pebble.StopResolvingAsync();
        var (issuer, recorder) = NewIssuer();

        var error = await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None));

        // pebble reports it as a connection problem ("could not resolve URL"); the message says DNS.
        Assert.Matches("^DNS for (sso|auth)\\.portcullis\\.test does not resolve, or points elsewhere", error.Message);
        Assert.Null(issuer.Current);
        Assert.Empty(_challengeServer.Requests);
        var orders = recorder.NewOrders;
        Assert.Same(error, await Assert.ThrowsAsync<AcmeProblemException>(() => issuer.EnsureCertificateAsync(CancellationToken.None)));
        Assert.Equal(orders, recorder.NewOrders);
    }

    [Fact]
    public async Task EnsureCertificateAsync_PebbleRejectsHalfTheNonces_RetriesAndIssues()
    {
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port, nonceRejectPercent: 50);
        // 50 % rejected: 20 retries of one request all failing has a chance of 1e-6.
        var (issuer, recorder) = NewIssuer(client => client with { BadNonceRetries = 20 });

        var certificate = await issuer.EnsureCertificateAsync(CancellationToken.None);

        Assert.True(certificate.Covers(Hosts));
        Assert.True(recorder.BadNonces > 0, "pebble rejected no nonce; the retry was not exercised");
        Assert.Equal(1, recorder.NewOrders - recorder.BadNoncesOn("/order-plz"));
    }

    [Fact]
    public async Task EnsureCertificateAsync_TwoInstancesSharingDataDirectory_OneOrderBothServeIt()
    {
        // The validation reaches a third instance that never ordered: it answers from data_dir.
        await _challengeServer.DisposeAsync();
        _challengeServer = await ChallengeServer.StartAsync(new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(_dataDirectory)));
        _pebble = await PebbleServer.StartAsync(_challengeServer.Port);
        var (first, firstRecorder) = NewIssuer(responder: new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(_dataDirectory)));
        var (second, secondRecorder) = NewIssuer(responder: new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(_dataDirectory)));

        var certificates = await Task.WhenAll(first.EnsureCertificateAsync(CancellationToken.None), second.EnsureCertificateAsync(CancellationToken.None));

        Assert.Equal(certificates[0].Leaf.Thumbprint, certificates[1].Leaf.Thumbprint);
        Assert.Equal(1, firstRecorder.NewOrders + secondRecorder.NewOrders);
        Assert.Equal(1, first.OrdersPlaced + second.OrdersPlaced);
    }

    private (AcmeIssuer Issuer, RecordingHandler Recorder) NewIssuer(Func<AcmeClientOptions, AcmeClientOptions>? client = null, Http01ChallengeResponder? responder = null)
    {
        var recorder = new RecordingHandler(_pebble.CreateHandler());
        var http = _pebble.CreateHttpClient(recorder);
        var clientOptions = new AcmeClientOptions { PollInterval = TimeSpan.FromMilliseconds(100), OrderTimeout = TimeSpan.FromSeconds(60), TimeProvider = _clock };
        var issuer = new AcmeIssuer(
            new AcmeIssuerOptions
            {
                DirectoryUrl = _pebble.DirectoryUrl,
                DataDirectory = _dataDirectory,
                HttpClient = http,
                Client = client?.Invoke(clientOptions) ?? clientOptions,
            },
            Hosts,
            [responder ?? _responder]);
        _disposables.Add(issuer);
        _disposables.Add(http);
        return (issuer, recorder);
    }
}
