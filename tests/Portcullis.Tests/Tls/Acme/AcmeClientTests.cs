using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeClientTests : IDisposable
{
    private static readonly AcmeClientOptions FastPolls = new() { PollInterval = TimeSpan.Zero, OrderTimeout = TimeSpan.FromSeconds(30) };
    private readonly Http01ChallengeResponder _responder = new(directory: null);
    private readonly FakeAcmeServer _server;
    private readonly HttpClient _http;
    private readonly ECDsa _accountKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _certificateKey = CertificateSigningRequest.CreateKey();

    public AcmeClientTests()
    {
        _server = new FakeAcmeServer(_responder);
        _http = _server.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        _accountKey.Dispose();
        _certificateKey.Dispose();
    }

    [Fact]
    public async Task OrderCertificateAsync_PendingReadyProcessingValid_ReturnsChainForTheKeyAndHosts()
    {
        _server.PendingPolls = 2;
        _server.ProcessingPolls = 2;
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var pem = await client.OrderCertificateAsync(["sso.example.com", "auth.example.com"], _certificateKey, [_responder], replaces: null, CancellationToken.None);

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        Assert.Equal(2, chain.Count);
        using var leafKey = chain[0].GetECDsaPublicKey()!;
        Assert.Equal(_certificateKey.ExportSubjectPublicKeyInfo(), leafKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(["sso.example.com", "auth.example.com"], Assert.Single(_server.CsrHosts));
        // pending authorizations polled twice each, processing order polled past its two polls
        Assert.True(_server.Requests.Count(r => r.StartsWith("POST /authz/", StringComparison.Ordinal)) >= 2 * (1 + 3));
        Assert.Contains("POST /certificate/1", _server.Requests);
    }

    [Fact]
    public async Task OrderCertificateAsync_ChallengeValidated_ResponderNoLongerServesToken()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None);

        var token = Assert.Single(_server.Tokens);
        Assert.False(_responder.TryGetKeyAuthorization(Http01ChallengeResponder.PathPrefix + token, out _));
    }

    [Fact]
    public async Task OrderCertificateAsync_ChallengeConnectionFails_ThrowsProblemNamingHostAndPort80()
    {
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = "Connection refused" };
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var exception = await Assert.ThrowsAsync<AcmeProblemException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None));

        Assert.Equal("connection", exception.ErrorName);
        Assert.Equal("sso.example.com", exception.Identifier?.Value);
        Assert.StartsWith("port 80 of sso.example.com is not reachable from the internet", exception.Message);
        Assert.Contains("Connection refused", exception.Message);
        Assert.Equal(0, _server.Finalizations);
    }

    [Fact]
    public async Task OrderCertificateAsync_TlsAlpn01Preferred_AnswersItWithTheChallengeCertificateForEveryHost()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var pem = await client.OrderCertificateAsync(["sso.example.com", "auth.example.com"], _certificateKey, [_server.TlsAlpnResponder, _responder], null, CancellationToken.None);

        Assert.Contains("BEGIN CERTIFICATE", pem);
        Assert.Equal(["tls-alpn-01", "tls-alpn-01"], _server.AnsweredChallenges);
        Assert.Null(_server.TlsAlpnResponder.Find("sso.example.com")); // removed once validated
    }

    [Fact]
    public async Task OrderCertificateAsync_Http01Preferred_AnswersHttp01()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder, _server.TlsAlpnResponder], null, CancellationToken.None);

        Assert.Equal(["http-01"], _server.AnsweredChallenges);
    }

    [Fact]
    public async Task OrderCertificateAsync_TlsAlpn01ConnectionFails_ThrowsProblemNamingPort443()
    {
        _server.ChallengeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = "Connection refused" };
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var exception = await Assert.ThrowsAsync<AcmeProblemException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_server.TlsAlpnResponder], null, CancellationToken.None));

        Assert.Equal("tls-alpn-01", exception.ChallengeType);
        Assert.StartsWith("port 443 of sso.example.com is not reachable from the internet", exception.Message);
    }

    [Fact]
    public async Task OrderCertificateAsync_NoOfferedChallengeAnswered_ThrowsNamingWhatWasOffered()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var exception = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [], null, CancellationToken.None));

        Assert.Contains("offers dns-01, tls-alpn-01, http-01 for sso.example.com", exception.Message);
        Assert.Contains("acme.challenges", exception.Message);
    }

    [Fact]
    public async Task OrderCertificateAsync_OrderInvalidAfterFinalize_ThrowsOrderProblem()
    {
        _server.FinalizeProblem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "badCSR", Detail = "key too weak" };
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var exception = await Assert.ThrowsAsync<AcmeProblemException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None));

        Assert.Equal("badCSR", exception.ErrorName);
        Assert.Contains("key too weak", exception.Message);
    }

    [Fact]
    public async Task OrderCertificateAsync_BadNonceTwice_RetriesWithFreshNoncesAndSucceeds()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);
        await client.LoadOrCreateAccountAsync(CancellationToken.None);
        _server.RejectNonces = 2;
        var headersBefore = _server.ProtectedHeaders.Count;

        var pem = await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None);

        Assert.Contains("BEGIN CERTIFICATE", pem);
        var newOrderAttempts = _server.ProtectedHeaders.Skip(headersBefore).Where(h => h["url"]!.GetValue<string>().EndsWith("/new-order", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, newOrderAttempts.Length);
        // each retry is signed with the nonce that came with the error (RFC 8555 §6.5)
        Assert.Equal(_server.BadNonceReplayNonces, newOrderAttempts.Skip(1).Select(h => h["nonce"]!.GetValue<string>()));
        Assert.Equal(1, _server.NewOrders);
    }

    [Fact]
    public async Task OrderCertificateAsync_BadNonceEveryTime_ThrowsBadNonceAfterRetries()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls with { BadNonceRetries = 2 });
        _server.RejectNonces = 100;

        var exception = await Assert.ThrowsAsync<AcmeProblemException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None));

        Assert.Equal("badNonce", exception.ErrorName);
        Assert.Equal(3, _server.ProtectedHeaders.Count);
    }

    [Fact]
    public async Task LoadOrCreateAccountAsync_UnknownKey_AsksOnlyReturnExistingThenRegisters()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var url = await client.LoadOrCreateAccountAsync(CancellationToken.None);

        Assert.StartsWith(FakeAcmeServer.Base + "/account/", url);
        Assert.Equal(2, _server.ProtectedHeaders.Count);
        Assert.All(_server.ProtectedHeaders, h => Assert.NotNull(h["jwk"]));
        var again = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);
        Assert.Equal(url, await again.LoadOrCreateAccountAsync(CancellationToken.None));
        Assert.Equal(3, _server.ProtectedHeaders.Count); // the known key: one onlyReturnExisting, no registration
    }

    [Fact]
    public async Task OrderCertificateAsync_AfterAccount_SignsWithKidNotJwk()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None);

        var afterAccount = _server.ProtectedHeaders.Where(h => !h["url"]!.GetValue<string>().EndsWith("/new-account", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(afterAccount);
        Assert.All(afterAccount, h => Assert.Equal(client.AccountUrl, h["kid"]!.GetValue<string>()));
        Assert.All(afterAccount, h => Assert.Null(h["jwk"]));
    }

    [Fact]
    public async Task OrderCertificateAsync_RateLimited_ThrowsWithRetryAfter()
    {
        _server.NewOrderProblem = (new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "rateLimited", Detail = "too many certificates" }, TimeSpan.FromHours(2));
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var exception = await Assert.ThrowsAsync<AcmeProblemException>(() => client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], null, CancellationToken.None));

        Assert.Equal(TimeSpan.FromHours(2), exception.RetryAfter);
        Assert.Contains("retries after 2 h", exception.Message);
    }

    [Fact]
    public async Task OrderCertificateAsync_ReplacesWithoutRenewalInfo_NotSent()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], "aaa.bbb", CancellationToken.None);

        Assert.Equal([null], _server.Replaces);
    }

    [Fact]
    public async Task OrderCertificateAsync_ReplacesWithRenewalInfo_Sent()
    {
        _server.RenewalWindow = new AcmeRenewalWindow(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        await client.OrderCertificateAsync(["sso.example.com"], _certificateKey, [_responder], "aaa.bbb", CancellationToken.None);

        Assert.Equal(["aaa.bbb"], _server.Replaces);
    }

    [Fact]
    public async Task GetRenewalInfoAsync_DirectoryWithoutRenewalInfo_ReturnsNull()
    {
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        Assert.Null(await client.GetRenewalInfoAsync("aaa.bbb", CancellationToken.None));
    }

    [Fact]
    public async Task GetRenewalInfoAsync_DirectoryWithRenewalInfo_ReturnsWindowAndRetryAfter()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        _server.RenewalWindow = new AcmeRenewalWindow(start, start.AddHours(8));
        var client = new AcmeClient(_http, FakeAcmeServer.DirectoryUrl, _accountKey, FastPolls);

        var info = await client.GetRenewalInfoAsync("aaa.bbb", CancellationToken.None);

        Assert.Equal(start, info!.Value.SuggestedWindow.Start);
        Assert.Equal(start.AddHours(8), info.Value.SuggestedWindow.End);
        Assert.Equal(TimeSpan.FromHours(6), info.RetryAfter);
        Assert.Contains("GET /renewal-info/aaa.bbb", _server.Requests);
    }
}
