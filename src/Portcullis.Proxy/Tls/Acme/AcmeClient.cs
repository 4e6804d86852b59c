using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// A small ACME client (RFC 8555) for one directory and one account key: nonces, signed POSTs
/// with badNonce retries, the account, and an order from newOrder to the PEM chain over http-01
/// or tls-alpn-01.
/// Not thread-safe for concurrent orders on one instance; the issuer orders one at a time.
/// </summary>
public sealed class AcmeClient
{
    private static readonly MediaTypeHeaderValue JoseJson = new("application/jose+json");
    private readonly HttpClient _http;
    private readonly Uri _directoryUrl;
    private readonly JwsSigner _signer;
    private readonly AcmeClientOptions _options;
    private readonly AcmeNoncePool _nonces = new();
    private AcmeDirectory? _directory;

    public AcmeClient(HttpClient http, Uri directoryUrl, ECDsa accountKey, AcmeClientOptions? options = null)
    {
        _http = http;
        _directoryUrl = directoryUrl;
        _signer = new JwsSigner(accountKey);
        _options = options ?? new AcmeClientOptions();
    }

    /// <summary>The account URL, used as "kid" (RFC 8555 §6.2) once the account is known.</summary>
    public string? AccountUrl { get; private set; }

    /// <summary>The directory, fetched once (RFC 8555 §7.1.1).</summary>
    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        using var response = await _http.GetAsync(_directoryUrl, cancellationToken).ConfigureAwait(false);
        _nonces.Add(response);
        await ThrowIfProblemAsync(response, _directoryUrl.ToString(), cancellationToken).ConfigureAwait(false);
        _directory = await ReadJsonAsync(response, AcmeJsonContext.Default.AcmeDirectory, cancellationToken).ConfigureAwait(false);
        return _directory;
    }

    /// <summary>
    /// Finds the account of this key (onlyReturnExisting, RFC 8555 §7.3.1), or registers it
    /// (§7.3) when the server does not know it, agreeing to the terms of service.
    /// </summary>
    public async Task<string> LoadOrCreateAccountAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        AcmeResponse<AcmeAccount> response;
        try
        {
            response = await PostAsync(directory.NewAccount, new AcmeAccountRequest { OnlyReturnExisting = true },
                AcmeJsonContext.Default.AcmeAccountRequest, AcmeJsonContext.Default.AcmeAccount, useJwk: true, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeProblemException problem) when (problem.ErrorName == "accountDoesNotExist")
        {
            var request = new AcmeAccountRequest { TermsOfServiceAgreed = true, Contact = _options.Contact.Count > 0 ? _options.Contact : null };
            response = await PostAsync(directory.NewAccount, request,
                AcmeJsonContext.Default.AcmeAccountRequest, AcmeJsonContext.Default.AcmeAccount, useJwk: true, cancellationToken).ConfigureAwait(false);
        }

        AccountUrl = response.Location ?? throw new AcmeProtocolException("the ACME server's newAccount response has no Location (RFC 8555 §7.3)");
        return AccountUrl;
    }

    /// <summary>
    /// Orders a certificate for <paramref name="hosts"/> and returns the PEM chain: newOrder
    /// (RFC 8555 §7.4), each authorization (§7.5) answered by the first of
    /// <paramref name="responders"/> whose challenge the CA offers (http-01, §8.3; tls-alpn-01,
    /// RFC 8737), finalize with a CSR of <paramref name="certificateKey"/>, and the download
    /// (§7.4.2). <paramref name="replaces"/> is RFC 9773 §5's certificate ID.
    /// </summary>
    public async Task<string> OrderCertificateAsync(IReadOnlyList<string> hosts, ECDsa certificateKey, IReadOnlyList<AcmeChallengeResponder> responders, string? replaces, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.OrderTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        try
        {
            var directory = await GetDirectoryAsync(token).ConfigureAwait(false);
            if (AccountUrl is null)
            {
                await LoadOrCreateAccountAsync(token).ConfigureAwait(false);
            }

            var request = new AcmeOrderRequest { Identifiers = hosts.Select(AcmeIdentifier.Dns).ToArray(), Replaces = directory.RenewalInfo is null ? null : replaces };
            var created = await PostAsync(directory.NewOrder, request, AcmeJsonContext.Default.AcmeOrderRequest, AcmeJsonContext.Default.AcmeOrder, useJwk: false, token).ConfigureAwait(false);
            var orderUrl = created.Location ?? throw new AcmeProtocolException("the ACME server's newOrder response has no Location (RFC 8555 §7.4)");
            var order = created.Value;

            if (order.Status == AcmeStatus.Pending)
            {
                foreach (var authorizationUrl in order.Authorizations)
                {
                    await AuthorizeAsync(authorizationUrl, responders, token).ConfigureAwait(false);
                }

                order = await PollAsync(orderUrl, AcmeJsonContext.Default.AcmeOrder, o => o.Status == AcmeStatus.Pending, token).ConfigureAwait(false);
            }

            if (order.Status == AcmeStatus.Ready)
            {
                var csr = Base64Url.Encode(CertificateSigningRequest.Create(hosts, certificateKey));
                order = (await PostAsync(order.Finalize, new AcmeFinalizeRequest(csr), AcmeJsonContext.Default.AcmeFinalizeRequest, AcmeJsonContext.Default.AcmeOrder, useJwk: false, token).ConfigureAwait(false)).Value;
            }

            if (order.Status == AcmeStatus.Processing)
            {
                order = await PollAsync(orderUrl, AcmeJsonContext.Default.AcmeOrder, o => o.Status == AcmeStatus.Processing, token).ConfigureAwait(false);
            }

            if (order.Status == AcmeStatus.Invalid)
            {
                throw new AcmeProblemException(order.Error ?? new AcmeProblem { Detail = "the order became invalid without saying why" }, orderUrl);
            }

            if (order.Status != AcmeStatus.Valid || order.Certificate is null)
            {
                throw new AcmeProtocolException($"the order is '{order.Status}', expected 'valid' with a certificate URL (RFC 8555 §7.1.6)");
            }

            return await DownloadCertificateAsync(order.Certificate, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the ACME order for {string.Join(", ", hosts)} did not complete within {_options.OrderTimeout}");
        }
    }

    /// <summary>
    /// The CA's suggested renewal window for a certificate (RFC 9773 §4.2), with the server's
    /// Retry-After: when to ask again. Null when the directory offers no renewalInfo.
    /// </summary>
    public async Task<AcmeResponse<AcmeRenewalInfo>?> GetRenewalInfoAsync(string certificateId, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        if (directory.RenewalInfo is null)
        {
            return null;
        }

        // RFC 9773 §4.1: an unauthenticated GET of renewalInfo "/" certID.
        var url = directory.RenewalInfo.TrimEnd('/') + "/" + certificateId;
        using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        _nonces.Add(response);
        await ThrowIfProblemAsync(response, url, cancellationToken).ConfigureAwait(false);
        var info = await ReadJsonAsync(response, AcmeJsonContext.Default.AcmeRenewalInfo, cancellationToken).ConfigureAwait(false);
        return new AcmeResponse<AcmeRenewalInfo>(info, url, RetryAfter(response));
    }

    private async Task AuthorizeAsync(string authorizationUrl, IReadOnlyList<AcmeChallengeResponder> responders, CancellationToken cancellationToken)
    {
        var authorization = (await PostAsGetAsync(authorizationUrl, AcmeJsonContext.Default.AcmeAuthorization, cancellationToken).ConfigureAwait(false)).Value;
        if (authorization.Status == AcmeStatus.Valid)
        {
            return; // reused from an earlier order (RFC 8555 §7.1.3: clients check, not assume)
        }

        var host = authorization.Identifier.Value;
        if (authorization.Status != AcmeStatus.Pending)
        {
            throw new AcmeProtocolException($"the authorization for {host} is '{authorization.Status}' (RFC 8555 §7.1.6)");
        }

        // RFC 8555 §7.1.4: the client completes one of the offered challenges; the first responder
        // (in the order acme.challenges prefers) whose type the CA offers answers it.
        var (challenge, responder) = responders
            .Select(r => (Challenge: authorization.Challenges.FirstOrDefault(c => c.Type == r.ChallengeType), Responder: r))
            .FirstOrDefault(pair => pair.Challenge is not null);
        if (challenge is null)
        {
            throw new AcmeProtocolException($"the ACME server offers {string.Join(", ", authorization.Challenges.Select(c => c.Type))} for {host}, " +
                $"none of the challenges Portcullis is set to answer ({string.Join(", ", responders.Select(r => r.ChallengeType))}, acme.challenges)");
        }

        if (challenge.Token is null || !challenge.Token.All(AcmeNoncePool.IsBase64UrlCharacter))
        {
            throw new AcmeProtocolException($"the {challenge.Type} challenge for {host} has no valid token (RFC 8555 §8.1)");
        }

        responder.Add(host, challenge.Token, challenge.Token + "." + _signer.Thumbprint);
        try
        {
            if (challenge.Status == AcmeStatus.Pending)
            {
                try
                {
                    // RFC 8555 §7.5.1: "{}" says the response is provisioned and may be validated.
                    await PostAsync(challenge.Url, new AcmeEmptyObject(), AcmeJsonContext.Default.AcmeEmptyObject, AcmeJsonContext.Default.AcmeChallenge, useJwk: false, cancellationToken).ConfigureAwait(false);
                }
                catch (AcmeProblemException refused) when (refused.Identifier is null)
                {
                    throw new AcmeProblemException(refused.Problem, refused.Url, authorization.Identifier, refused.RetryAfter, challenge.Type);
                }
            }

            authorization = await PollAsync(authorizationUrl, AcmeJsonContext.Default.AcmeAuthorization, a => a.Status == AcmeStatus.Pending, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            responder.Remove(host, challenge.Token);
        }

        if (authorization.Status != AcmeStatus.Valid)
        {
            var failed = authorization.Challenges.FirstOrDefault(c => c.Type == challenge.Type && c.Error is not null);
            throw new AcmeProblemException(
                failed?.Error ?? new AcmeProblem { Detail = $"the authorization became '{authorization.Status}'" },
                authorizationUrl,
                authorization.Identifier,
                challengeType: challenge.Type);
        }
    }

    private async Task<string> DownloadCertificateAsync(string url, CancellationToken cancellationToken)
    {
        var (body, response) = await SendSignedAsync(url, null, useJwk: false, accept: "application/pem-certificate-chain", cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var pem = Encoding.UTF8.GetString(body);
            if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                throw new AcmeProtocolException("the ACME server's certificate download is not a PEM chain (RFC 8555 §7.4.2)");
            }

            return pem;
        }
    }

    /// <summary>Polls a resource until <paramref name="stillWaiting"/> is false, honouring Retry-After (RFC 8555 §7.5.1).</summary>
    private async Task<T> PollAsync<T>(string url, JsonTypeInfo<T> type, Func<T, bool> stillWaiting, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await PostAsGetAsync(url, type, cancellationToken).ConfigureAwait(false);
            if (!stillWaiting(response.Value))
            {
                return response.Value;
            }

            await Task.Delay(response.RetryAfter ?? _options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>POST-as-GET (RFC 8555 §6.3): a signed POST with an empty payload.</summary>
    private async Task<AcmeResponse<T>> PostAsGetAsync<T>(string url, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var (body, response) = await SendSignedAsync(url, null, useJwk: false, accept: null, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            return new AcmeResponse<T>(Deserialize(body, type, url), response.Headers.Location?.ToString(), RetryAfter(response));
        }
    }

    private async Task<AcmeResponse<TResponse>> PostAsync<TRequest, TResponse>(string url, TRequest payload, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, bool useJwk, CancellationToken cancellationToken)
    {
        var (body, response) = await SendSignedAsync(url, JsonSerializer.SerializeToUtf8Bytes(payload, requestType), useJwk, accept: null, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var location = response.Headers.Location is { } l ? new Uri(new Uri(url), l).ToString() : null;
            return new AcmeResponse<TResponse>(Deserialize(body, responseType, url), location, RetryAfter(response));
        }
    }

    /// <summary>
    /// One signed request, retried with a fresh nonce when the server answers badNonce (RFC 8555
    /// §6.5: the error carries a new nonce, and the client should retry with it).
    /// </summary>
    private async Task<(byte[] Body, HttpResponseMessage Response)> SendSignedAsync(string url, byte[]? payload, bool useJwk, string? accept, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var nonce = await TakeNonceAsync(cancellationToken).ConfigureAwait(false);
            var keyId = useJwk ? null : AccountUrl ?? throw new InvalidOperationException("no ACME account yet");
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new ByteArrayContent(_signer.Sign(payload, url, nonce, keyId)),
            };
            request.Content.Headers.ContentType = JoseJson;
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            try
            {
                _nonces.Add(response);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return (body, response);
                }

                var problem = ParseProblem(body, response);
                if (problem.AcmeErrorName == "badNonce" && attempt < _options.BadNonceRetries)
                {
                    response.Dispose();
                    continue;
                }

                throw new AcmeProblemException(problem, url, retryAfter: RetryAfter(response));
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    private async Task<string> TakeNonceAsync(CancellationToken cancellationToken)
    {
        if (_nonces.TryTake(out var nonce))
        {
            return nonce;
        }

        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _nonces.Add(response);
        return _nonces.TryTake(out nonce)
            ? nonce
            : throw new AcmeProtocolException($"the ACME server's newNonce ({directory.NewNonce}) answered {(int)response.StatusCode} without a Replay-Nonce (RFC 8555 §7.2)");
    }

    private async Task ThrowIfProblemAsync(HttpResponseMessage response, string url, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            throw new AcmeProblemException(ParseProblem(body, response), url, retryAfter: RetryAfter(response));
        }
    }

    private static AcmeProblem ParseProblem(byte[] body, HttpResponseMessage response)
    {
        try
        {
            if (body.Length > 0 && JsonSerializer.Deserialize(body, AcmeJsonContext.Default.AcmeProblem) is { } problem)
            {
                return problem with { Status = problem.Status ?? (int)response.StatusCode };
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a load balancer's HTML page): described by status below.
        }

        return new AcmeProblem { Status = (int)response.StatusCode, Detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri}" };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), type, response.RequestMessage?.RequestUri?.ToString());

    private static T Deserialize<T>(byte[] body, JsonTypeInfo<T> type, string? url)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new AcmeProtocolException($"empty JSON from {url}");
        }
        catch (JsonException exception)
        {
            throw new AcmeProtocolException($"the ACME server's answer from {url} is not the expected JSON: {exception.Message}", exception);
        }
    }
}
