using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// Keeps one site's certificate (all its hosts in one certificate): the stored one while it is
/// good, a new order under the data directory's lock when it is missing or due for renewal, and
/// exponential backoff after a failure, during which the old certificate keeps being served.
/// <see cref="CertificateChanged"/> fires whenever the current certificate is replaced (loaded at
/// start, issued, or renewed by another instance sharing data_dir), for a certificate source to
/// swap it in live. Calls are serialised; one issuer per site.
/// </summary>
public sealed class AcmeIssuer : IDisposable
{
    private readonly AcmeIssuerOptions _options;
    private readonly IReadOnlyList<string> _hosts;
    private readonly AcmeChallengeResponder[] _responders;
    private readonly AcmeStore _store;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _clock;
    private AcmeClient? _client;
    private ECDsa? _accountKey;
    private DateTimeOffset _renewAt;
    private DateTimeOffset _renewalInfoDueAt;
    private DateTimeOffset? _renewalInfoRenewAt;

    /// <param name="responders">The challenges to answer, preferred first (acme.challenges). After a
    /// failed validation the next attempt prefers the next one, and a success keeps the one that worked.</param>
    public AcmeIssuer(AcmeIssuerOptions options, IReadOnlyList<string> hosts, IReadOnlyList<AcmeChallengeResponder> responders)
    {
        if (responders.Count == 0)
        {
            throw new ArgumentException("at least one challenge is answered", nameof(responders));
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException("a site has at least one host", nameof(hosts));
        }

        if (hosts.FirstOrDefault(host => host.Contains('*', StringComparison.Ordinal)) is { } wildcard)
        {
            // RFC 8555 §7.1.3, §8.3 and RFC 8737 §3: neither http-01 nor tls-alpn-01 can prove
            // control of a wildcard; only dns-01 can (RFC 8555 §8.4).
            throw new ArgumentException($"{wildcard}: a wildcard certificate needs the dns-01 challenge, which Portcullis does not do; name the hosts", nameof(hosts));
        }

        _options = options;
        _hosts = hosts.ToArray();
        _responders = responders.ToArray();
        _store = new AcmeStore(options.DataDirectory, options.DirectoryUrl);
        _clock = options.TimeProvider;
    }

    /// <summary>Raised, outside any lock, with the new certificate whenever <see cref="Current"/> changes.</summary>
    public event Action<AcmeCertificate>? CertificateChanged;

    /// <summary>Raised, outside any lock, with the failure of each attempt, once it is recorded (<see cref="LastError"/>).</summary>
    public event Action<Exception>? AttemptFailed;

    /// <summary>The certificate being served, or null before the first one exists.</summary>
    public AcmeCertificate? Current { get; private set; }

    /// <summary>When the current certificate is due for renewal (RFC 9773's window when the CA sent one).</summary>
    public DateTimeOffset? RenewAt => Current is null ? null : Min(_renewAt, _renewalInfoRenewAt);

    /// <summary>The last attempt's failure, cleared by a success.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Failed attempts in a row.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>No order is attempted before this (backoff after a failure).</summary>
    public DateTimeOffset NextAttemptAt { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>The challenge the next order tries first.</summary>
    public string PreferredChallenge => _responders[0].ChallengeType;

    /// <summary>Orders placed by this issuer (not loads), for logs and tests.</summary>
    public int OrdersPlaced { get; private set; }

    /// <summary>
    /// The certificate to serve: the current or stored one while it is not due, else a new one
    /// ordered now (waiting for another instance's order first). After a failure the old
    /// certificate is returned and the error kept in <see cref="LastError"/>; with no certificate
    /// at all, the failure is thrown, and thrown again until the backoff is over.
    /// </summary>
    public async Task<AcmeCertificate> EnsureCertificateAsync(CancellationToken cancellationToken)
    {
        AcmeCertificate? changed = null;
        Exception? failed = null;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Current is null && LoadStored() is { } stored)
            {
                changed = stored;
            }

            if (Current is not null)
            {
                await RefreshRenewalInfoAsync(cancellationToken).ConfigureAwait(false);
            }

            var now = _clock.GetUtcNow();
            if (Current is not null && now < RenewAt)
            {
                return Current;
            }

            if (now < NextAttemptAt)
            {
                return Current ?? Rethrow(LastError!);
            }

            try
            {
                var issued = await OrderUnderLockAsync(cancellationToken).ConfigureAwait(false);
                LastError = null;
                ConsecutiveFailures = 0;
                NextAttemptAt = DateTimeOffset.MinValue;
                if (!ReferenceEquals(issued, Current))
                {
                    Adopt(issued);
                    changed = issued;
                    // The CA may already want this one renewed early (RFC 9773 §4.2).
                    await RefreshRenewalInfoAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RecordFailure(exception);
                failed = exception;
                if (Current is null)
                {
                    throw;
                }
            }

            return Current!;
        }
        finally
        {
            _gate.Release();
            if (changed is not null)
            {
                RaiseCertificateChanged(changed);
            }

            if (failed is not null)
            {
                AttemptFailed?.Invoke(failed);
            }
        }
    }

    /// <summary>
    /// Keeps the certificate current until cancelled: ensures it, then sleeps until the next
    /// renewal, backoff end or renewal-information check, at most an hour at a time.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await EnsureCertificateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Already logged with its reason by RecordFailure; the loop retries after the backoff.
                _options.Logger.LogDebug(exception, "ACME attempt for {Hosts} failed", string.Join(", ", _hosts));
            }

            var wait = UntilNextCheck(_clock.GetUtcNow());
            try
            {
                await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// How long <see cref="RunAsync"/> sleeps: until the earliest of renewal, the end of a
    /// backoff and the next renewal-information check; at least a second (no busy loop), at most
    /// an hour (a clock jump or suspend is noticed within the hour).
    /// </summary>
    internal TimeSpan UntilNextCheck(DateTimeOffset now)
    {
        DateTimeOffset next;
        if (Current is null || RenewAt <= now)
        {
            next = NextAttemptAt > now ? NextAttemptAt : now; // due: as soon as the backoff allows
        }
        else
        {
            next = RenewAt!.Value;
            if (_renewalInfoDueAt > now && _renewalInfoDueAt < next)
            {
                next = _renewalInfoDueAt;
            }
        }

        var wait = next - now;
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
    }

    public void Dispose()
    {
        _accountKey?.Dispose();
        _gate.Dispose();
    }

    private AcmeCertificate? LoadStored()
    {
        var stored = _store.LoadCertificate(_hosts);
        if (stored is null || !stored.Covers(_hosts) || stored.NotAfter <= _clock.GetUtcNow())
        {
            return null;
        }

        Adopt(stored);
        _options.Logger.LogInformation("ACME certificate for {Hosts} loaded from {Directory}, valid until {NotAfter:u}, renewal from {RenewAt:u}",
            string.Join(", ", _hosts), _store.SiteDirectory(_hosts), stored.NotAfter, RenewAt);
        return stored;
    }

    private void Adopt(AcmeCertificate certificate)
    {
        Current = certificate;
        _renewAt = AcmeRenewalSchedule.FromLifetime(certificate.NotBefore, certificate.NotAfter, certificate.Leaf.SerialNumberBytes.Span);
        _renewalInfoRenewAt = null;
        _renewalInfoDueAt = DateTimeOffset.MinValue;
    }

    /// <summary>
    /// Asks the CA for renewal information (RFC 9773) when it offers it and the last answer's
    /// Retry-After has passed. A failure here changes nothing: the lifetime rule still holds.
    /// </summary>
    private async Task RefreshRenewalInfoAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (now < _renewalInfoDueAt || AcmeCertificateId.For(Current!.Leaf) is not { } certificateId)
        {
            return;
        }

        try
        {
            var info = await EnsureClient().GetRenewalInfoAsync(certificateId, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                _renewalInfoDueAt = DateTimeOffset.MaxValue; // the directory has no renewalInfo
                return;
            }

            _renewalInfoRenewAt = AcmeRenewalSchedule.FromWindow(info.Value.SuggestedWindow, Current.Leaf.SerialNumberBytes.Span);
            // RFC 9773 §4.3: a Retry-After under a minute counts as a minute, over a day as a day.
            var retryAfter = info.RetryAfter ?? _options.RenewalInfoInterval;
            _renewalInfoDueAt = now + TimeSpan.FromTicks(Math.Clamp(retryAfter.Ticks, TimeSpan.FromMinutes(1).Ticks, TimeSpan.FromDays(1).Ticks));
            if (info.Value.ExplanationUrl is { } explanation && _renewalInfoRenewAt < _renewAt)
            {
                _options.Logger.LogWarning("the CA asks for an early renewal of the certificate for {Hosts}: {Explanation}", string.Join(", ", _hosts), explanation);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _renewalInfoDueAt = now + _options.FailureBackoffInitial;
            _options.Logger.LogDebug(exception, "ACME renewal information for {Hosts} unavailable", string.Join(", ", _hosts));
        }
    }

    private async Task<AcmeCertificate> OrderUnderLockAsync(CancellationToken cancellationToken)
    {
        using var orderLock = await AcmeOrderLock.AcquireAsync(_store.LockPath, _options.LockTimeout, _clock, cancellationToken).ConfigureAwait(false);

        // Another instance may have ordered while we waited for the lock: use its certificate.
        var stored = _store.LoadCertificate(_hosts);
        if (stored is not null && stored.Covers(_hosts) && (Current is null || stored.Leaf.Thumbprint != Current.Leaf.Thumbprint)
            && _clock.GetUtcNow() < AcmeRenewalSchedule.FromLifetime(stored.NotBefore, stored.NotAfter, stored.Leaf.SerialNumberBytes.Span))
        {
            _options.Logger.LogInformation("ACME certificate for {Hosts} was renewed by another instance sharing {Directory}", string.Join(", ", _hosts), _store.Root);
            return stored;
        }

        if (_client?.AccountUrl is null)
        {
            // Read the account key again under the lock: another instance may have registered
            // one since this issuer first looked, and one data_dir keeps one account.
            _accountKey?.Dispose();
            _accountKey = null;
            _client = null;
        }

        var client = EnsureClient();
        if (client.AccountUrl is null)
        {
            await client.LoadOrCreateAccountAsync(cancellationToken).ConfigureAwait(false);
            _store.SaveAccountKey(_accountKey!); // only once the CA knows it; unchanged when loaded
        }

        _options.Logger.LogInformation("ACME order for {Hosts} from {Directory}", string.Join(", ", _hosts), _options.DirectoryUrl);
        using var key = CertificateSigningRequest.CreateKey();
        var replaces = Current is null ? null : AcmeCertificateId.For(Current.Leaf);
        OrdersPlaced++;
        string chain;
        try
        {
            chain = await client.OrderCertificateAsync(_hosts, key, _responders, replaces, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeProblemException problem) when (problem.ErrorName == "alreadyReplaced" && replaces is not null)
        {
            // RFC 9773 §5: the CA says that certificate was renewed already (by an instance whose
            // result we never saw, or one that lost it). Order without "replaces" rather than
            // failing every attempt.
            _options.Logger.LogWarning("the CA says the certificate for {Hosts} was already replaced; ordering a new one without \"replaces\"", string.Join(", ", _hosts));
            chain = await client.OrderCertificateAsync(_hosts, key, _responders, replaces: null, cancellationToken).ConfigureAwait(false);
        }

        var issued = AcmeCertificate.FromPem(chain, key.ExportPkcs8PrivateKeyPem());
        _store.SaveCertificate(_hosts, issued);
        _options.Logger.LogInformation("ACME certificate for {Hosts} issued, valid until {NotAfter:u}", string.Join(", ", _hosts), issued.NotAfter);
        return issued;
    }

    /// <summary>The client with the stored account key, or a new key (saved once the account exists).</summary>
    private AcmeClient EnsureClient()
    {
        if (_client is null)
        {
            // A new key is saved only under the order lock, once the CA has registered it.
            _accountKey = _store.LoadAccountKey() ?? ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _client = new AcmeClient(_options.HttpClient, _options.DirectoryUrl, _accountKey, _options.Client);
        }

        return _client;
    }

    private void RecordFailure(Exception exception)
    {
        ConsecutiveFailures++;
        LastError = exception;
        var delay = AcmeBackoff.Delay(ConsecutiveFailures, _options.FailureBackoffInitial, _options.FailureBackoffCap, (exception as AcmeProblemException)?.RetryAfter);
        NextAttemptAt = _clock.GetUtcNow() + delay;
        var next = RotateAfterFailedValidation(exception);
        _options.Logger.LogError("ACME certificate for {Hosts} failed (attempt {Attempt}, next in {Delay}): {Reason}{Kept}{Next}",
            string.Join(", ", _hosts), ConsecutiveFailures, delay, exception.Message,
            Current is null ? "" : $"; the current certificate, valid until {Current.NotAfter:u}, is kept",
            next is null ? "" : $"; the next attempt tries {next} first");
    }

    /// <summary>
    /// After a failed validation, the failed challenge goes last: a host whose port 80 is closed
    /// gets its certificate over tls-alpn-01 on the next attempt, and one behind a TLS-terminating
    /// proxy over http-01. Returns the challenge now preferred, or null when nothing changed.
    /// </summary>
    private string? RotateAfterFailedValidation(Exception exception)
    {
        if (_responders.Length < 2 || exception is not AcmeProblemException { ChallengeType: { } failed } || failed != _responders[0].ChallengeType)
        {
            return null;
        }

        var first = _responders[0];
        Array.Copy(_responders, 1, _responders, 0, _responders.Length - 1);
        _responders[^1] = first;
        return _responders[0].ChallengeType;
    }

    private void RaiseCertificateChanged(AcmeCertificate certificate)
    {
        try
        {
            CertificateChanged?.Invoke(certificate);
        }
        catch (Exception exception)
        {
            // A subscriber's failure is its own: the certificate is stored and current either way.
            _options.Logger.LogError(exception, "a subscriber to the new ACME certificate for {Hosts} failed", string.Join(", ", _hosts));
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset? b) => b is { } other && other < a ? other : a;

    private static AcmeCertificate Rethrow(Exception exception)
    {
        ExceptionDispatchInfo.Throw(exception);
        return null!;
    }
}
