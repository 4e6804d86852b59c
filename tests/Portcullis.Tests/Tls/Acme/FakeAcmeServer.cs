using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

/// <summary>
/// An in-memory ACME server behind a fake HttpMessageHandler (no sockets). It checks what a real
/// one checks — every JWS signature against the account key, the url and nonce of the protected
/// header, nonces used once — and validates http-01 and tls-alpn-01 by asking the responders, as
/// a CA would over port 80 or in a TLS handshake on port 443 (checking the challenge certificate
/// as RFC 8737 §3 says). Knobs script what the tests need: rejected nonces, polls that stay pending or
/// processing, a failing challenge, renewal information.
/// </summary>
public sealed class FakeAcmeServer : HttpMessageHandler
{
    public const string Base = "https://acme.test";
    public static readonly Uri DirectoryUrl = new(Base + "/directory");

    private readonly ConcurrentDictionary<string, bool> _nonces = new();
    private readonly Dictionary<string, ECDsa> _accountsByThumbprint = new();
    private readonly Dictionary<string, ECDsa> _accountsByUrl = new();
    private readonly Dictionary<string, FakeAcmeOrder> _orders = new();
    private readonly Dictionary<string, FakeAcmeAuthorization> _authorizations = new();
    private readonly Dictionary<string, string> _certificates = new();
    private readonly Lock _lock = new();
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;
    private int _counter;
    private bool _answeredBadNonce;

    public FakeAcmeServer(Http01ChallengeResponder responder, TlsAlpn01ChallengeResponder? tlsAlpnResponder = null)
    {
        Responder = responder;
        TlsAlpnResponder = tlsAlpnResponder ?? new TlsAlpn01ChallengeResponder(directory: null);
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Fake ACME CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
    }

    public Http01ChallengeResponder Responder { get; }

    public TlsAlpn01ChallengeResponder TlsAlpnResponder { get; }

    /// <summary>The next this many signed requests are refused with badNonce, however good their nonce.</summary>
    public int RejectNonces { get; set; }

    /// <summary>Polls of an authorization answered "pending" after its challenge was accepted.</summary>
    public int PendingPolls { get; set; }

    /// <summary>Polls of an order answered "processing" after finalize.</summary>
    public int ProcessingPolls { get; set; }

    /// <summary>When set, validation fails with this problem (only that of <see cref="ChallengeProblemType"/> when it is set).</summary>
    public AcmeProblem? ChallengeProblem { get; set; }

    /// <summary>The one challenge type <see cref="ChallengeProblem"/> fails; null fails every type.</summary>
    public string? ChallengeProblemType { get; set; }

    /// <summary>The challenge type the client answered, one per authorization, in order.</summary>
    public List<string> AnsweredChallenges { get; } = [];

    /// <summary>When set, finalize makes the order invalid with this problem.</summary>
    public AcmeProblem? FinalizeProblem { get; set; }

    /// <summary>When set, newOrder is refused with this problem and Retry-After.</summary>
    public (AcmeProblem Problem, TimeSpan RetryAfter)? NewOrderProblem { get; set; }

    /// <summary>When set, the directory offers renewalInfo and answers with this window.</summary>
    public AcmeRenewalWindow? RenewalWindow { get; set; }

    public TimeSpan CertificateLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>When set, a newOrder with "replaces" is refused with alreadyReplaced (RFC 9773 §5).</summary>
    public bool AlreadyReplaced { get; set; }

    public int NewOrders { get; private set; }

    public int Finalizations { get; private set; }

    public int RenewalInfoRequests { get; private set; }

    /// <summary>The "replaces" of every newOrder, in order.</summary>
    public List<string?> Replaces { get; } = [];

    /// <summary>Every request as "METHOD path", and every protected header sent.</summary>
    public List<string> Requests { get; } = [];

    public List<JsonObject> ProtectedHeaders { get; } = [];

    /// <summary>The Replay-Nonce sent with each badNonce error, in order.</summary>
    public List<string> BadNonceReplayNonces { get; } = [];

    /// <summary>The hosts of every CSR finalized.</summary>
    public List<string[]> CsrHosts { get; } = [];

    /// <summary>The http-01 tokens of every authorization created.</summary>
    public IReadOnlyList<string> Tokens
    {
        get
        {
            lock (_lock)
            {
                return _authorizations.Values.Select(a => a.Token).ToArray();
            }
        }
    }

    public HttpClient CreateClient() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (_lock)
        {
            var path = request.RequestUri!.AbsolutePath;
            Requests.Add(request.Method + " " + path);
            var response = Handle(request, path, body);
            response.RequestMessage = request;
            var nonce = NewNonce();
            response.Headers.Add("Replay-Nonce", nonce);
            if (_answeredBadNonce)
            {
                _answeredBadNonce = false;
                BadNonceReplayNonces.Add(nonce);
            }

            return response;
        }
    }

    private HttpResponseMessage Handle(HttpRequestMessage request, string path, byte[] body)
    {
        if (request.Method == HttpMethod.Get && path == "/directory")
        {
            var directory = new JsonObject
            {
                ["newNonce"] = Base + "/new-nonce",
                ["newAccount"] = Base + "/new-account",
                ["newOrder"] = Base + "/new-order",
                ["meta"] = new JsonObject { ["termsOfService"] = Base + "/terms" },
            };
            if (RenewalWindow is not null)
            {
                directory["renewalInfo"] = Base + "/renewal-info";
            }

            return Json(HttpStatusCode.OK, directory);
        }

        if (request.Method == HttpMethod.Head && path == "/new-nonce")
        {
            return new HttpResponseMessage(HttpStatusCode.OK);
        }

        if (request.Method == HttpMethod.Get && path.StartsWith("/renewal-info/", StringComparison.Ordinal) && RenewalWindow is { } window)
        {
            RenewalInfoRequests++;
            var info = Json(HttpStatusCode.OK, new JsonObject
            {
                ["suggestedWindow"] = new JsonObject { ["start"] = window.Start.ToString("O"), ["end"] = window.End.ToString("O") },
            });
            info.Headers.Add("Retry-After", "21600");
            return info;
        }

        if (request.Method != HttpMethod.Post)
        {
            return Problem(HttpStatusCode.MethodNotAllowed, "malformed", "method not allowed");
        }

        if (request.Content?.Headers.ContentType?.MediaType != "application/jose+json")
        {
            return Problem(HttpStatusCode.UnsupportedMediaType, "malformed", "expected application/jose+json");
        }

        var jws = JsonNode.Parse(body)!.AsObject();
        var protectedB64 = jws["protected"]!.GetValue<string>();
        var payloadB64 = jws["payload"]!.GetValue<string>();
        var header = JsonNode.Parse(Base64Url.Decode(protectedB64))!.AsObject();
        ProtectedHeaders.Add(header);

        if (header["url"]?.GetValue<string>() != request.RequestUri!.ToString())
        {
            return Problem(HttpStatusCode.Unauthorized, "unauthorized", "url in the protected header is not the request URL");
        }

        var nonce = header["nonce"]?.GetValue<string>();
        if (nonce is null || !_nonces.TryRemove(nonce, out _))
        {
            _answeredBadNonce = true;
            return Problem(HttpStatusCode.BadRequest, "badNonce", "unknown or used nonce");
        }

        if (RejectNonces > 0)
        {
            RejectNonces--;
            _answeredBadNonce = true;
            return Problem(HttpStatusCode.BadRequest, "badNonce", "nonce rejected by the test");
        }

        ECDsa? key;
        if (header["jwk"] is JsonObject jwk)
        {
            if (path != "/new-account")
            {
                return Problem(HttpStatusCode.BadRequest, "malformed", "jwk only for newAccount");
            }

            key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.Decode(jwk["x"]!.GetValue<string>()), Y = Base64Url.Decode(jwk["y"]!.GetValue<string>()) },
            });
        }
        else if (header["kid"]?.GetValue<string>() is { } kid)
        {
            if (!_accountsByUrl.TryGetValue(kid, out key))
            {
                return Problem(HttpStatusCode.BadRequest, "accountDoesNotExist", "unknown kid");
            }
        }
        else
        {
            return Problem(HttpStatusCode.BadRequest, "malformed", "neither jwk nor kid");
        }

        if (header["alg"]?.GetValue<string>() != "ES256"
            || !key.VerifyData(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64), Base64Url.Decode(jws["signature"]!.GetValue<string>()), HashAlgorithmName.SHA256))
        {
            return Problem(HttpStatusCode.BadRequest, "malformed", "JWS signature does not verify");
        }

        var payload = payloadB64.Length == 0 ? null : JsonNode.Parse(Base64Url.Decode(payloadB64));
        return Signed(path, key, payload);
    }

    private HttpResponseMessage Signed(string path, ECDsa key, JsonNode? payload)
    {
        if (path == "/new-account")
        {
            var thumbprint = JwkThumbprint.Compute(key);
            if (_accountsByThumbprint.ContainsKey(thumbprint))
            {
                var existing = Json(HttpStatusCode.OK, new JsonObject { ["status"] = "valid" });
                existing.Headers.Location = new Uri(AccountUrl(thumbprint));
                return existing;
            }

            if (payload?["onlyReturnExisting"]?.GetValue<bool>() == true)
            {
                return Problem(HttpStatusCode.BadRequest, "accountDoesNotExist", "no account for this key");
            }

            _accountsByThumbprint[thumbprint] = key;
            _accountsByUrl[AccountUrl(thumbprint)] = key;
            var created = Json(HttpStatusCode.Created, new JsonObject { ["status"] = "valid" });
            created.Headers.Location = new Uri(AccountUrl(thumbprint));
            return created;
        }

        if (path == "/new-order")
        {
            if (NewOrderProblem is { } refused)
            {
                var problem = Problem((HttpStatusCode)429, refused.Problem.AcmeErrorName!, refused.Problem.Detail!);
                problem.Headers.Add("Retry-After", ((int)refused.RetryAfter.TotalSeconds).ToString());
                return problem;
            }

            NewOrders++;
            var replaces = payload?["replaces"]?.GetValue<string>();
            Replaces.Add(replaces);
            if (replaces is not null && AlreadyReplaced)
            {
                return Problem(HttpStatusCode.Conflict, "alreadyReplaced", "the certificate was already replaced");
            }

            var id = Next();
            var hosts = payload!["identifiers"]!.AsArray().Select(i => i!["value"]!.GetValue<string>()).ToArray();
            var order = new FakeAcmeOrder(id, hosts);
            foreach (var host in hosts)
            {
                var authorization = new FakeAcmeAuthorization(Next(), host, Base64Url.Encode(RandomNumberGenerator.GetBytes(16)));
                _authorizations[authorization.Id] = authorization;
                order.Authorizations.Add(authorization.Id);
            }

            _orders[id] = order;
            var response = Json(HttpStatusCode.Created, OrderJson(order));
            response.Headers.Location = new Uri(Base + "/order/" + id);
            return response;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["authz", var id] when _authorizations.TryGetValue(id, out var authorization):
                if (authorization.Status == AcmeStatus.Pending && authorization.ChallengeStatus == AcmeStatus.Processing)
                {
                    if (authorization.PendingPollsLeft-- <= 0)
                    {
                        Validate(authorization);
                    }
                    else
                    {
                        var pending = Json(HttpStatusCode.OK, AuthorizationJson(authorization));
                        pending.Headers.Add("Retry-After", "0");
                        return pending;
                    }
                }

                return Json(HttpStatusCode.OK, AuthorizationJson(authorization));

            case [var kind and ("challenge" or "challenge-tls"), var id] when _authorizations.TryGetValue(id, out var authorization):
                if (payload is not JsonObject { Count: 0 })
                {
                    return Problem(HttpStatusCode.BadRequest, "malformed", "a challenge response is {}");
                }

                authorization.ChallengeType = kind == "challenge" ? AcmeChallenge.Http01 : AcmeChallenge.TlsAlpn01;
                AnsweredChallenges.Add(authorization.ChallengeType);
                authorization.ChallengeStatus = AcmeStatus.Processing;
                authorization.PendingPollsLeft = PendingPolls;
                return Json(HttpStatusCode.OK, ChallengeJson(authorization, authorization.ChallengeType));

            case ["order", var id] when _orders.TryGetValue(id, out var order):
                Advance(order);
                if (order.Status == AcmeStatus.Processing && order.ProcessingPollsLeft-- <= 0)
                {
                    Issue(order);
                }

                var polled = Json(HttpStatusCode.OK, OrderJson(order));
                if (order.Status == AcmeStatus.Processing)
                {
                    polled.Headers.Add("Retry-After", "0");
                }

                return polled;

            case ["finalize", var id] when _orders.TryGetValue(id, out var order):
                Advance(order);
                if (order.Status != AcmeStatus.Ready)
                {
                    return Problem(HttpStatusCode.Forbidden, "orderNotReady", "order is " + order.Status);
                }

                Finalizations++;
                var csr = CertificateRequest.LoadSigningRequest(Base64Url.Decode(payload!["csr"]!.GetValue<string>()), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
                var sans = csr.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToArray();
                CsrHosts.Add(sans);
                if (FinalizeProblem is not null)
                {
                    order.Status = AcmeStatus.Invalid;
                    order.Error = FinalizeProblem;
                    return Json(HttpStatusCode.OK, OrderJson(order));
                }

                order.Csr = csr;
                order.Status = AcmeStatus.Processing;
                order.ProcessingPollsLeft = ProcessingPolls;
                return Json(HttpStatusCode.OK, OrderJson(order));

            case ["certificate", var id] when _certificates.TryGetValue(id, out var chain):
                var download = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(chain) };
                download.Content.Headers.ContentType = new("application/pem-certificate-chain");
                return download;

            default:
                return Problem(HttpStatusCode.NotFound, "malformed", "no such resource " + path);
        }
    }

    private void Validate(FakeAcmeAuthorization authorization)
    {
        var failing = ChallengeProblem is not null && (ChallengeProblemType is null || ChallengeProblemType == authorization.ChallengeType);
        var expected = _accountsByUrl.Values.Select(key => authorization.Token + "." + JwkThumbprint.Compute(key)).ToArray();
        var answered = authorization.ChallengeType == AcmeChallenge.TlsAlpn01
            ? ChallengeCertificateMatches(authorization.Host, expected)
            : Responder.TryGetKeyAuthorization(Http01ChallengeResponder.PathPrefix + authorization.Token, out var answer) && expected.Contains(answer);
        if (!failing && answered)
        {
            authorization.Status = AcmeStatus.Valid;
            authorization.ChallengeStatus = AcmeStatus.Valid;
            return;
        }

        authorization.Status = AcmeStatus.Invalid;
        authorization.ChallengeStatus = AcmeStatus.Invalid;
        authorization.Error = (failing ? ChallengeProblem : null) ?? new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "unauthorized", Detail = "wrong key authorization" };
    }

    // RFC 8737 §3: ALPN acme-tls/1 only, the certificate names the host and nothing else, and its
    // critical acmeIdentifier extension holds the SHA-256 of the key authorization.
    private bool ChallengeCertificateMatches(string host, IReadOnlyList<string> keyAuthorizations)
    {
        if (TlsAlpnResponder.Find(host) is not { } options || options.ApplicationProtocols is not [var alpn] || alpn != TlsAlpn01ChallengeResponder.AcmeTls1
            || options.ServerCertificateContext?.TargetCertificate is not { } certificate)
        {
            return false;
        }

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
        var identifier = certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid];
        return names is not null && names.EnumerateDnsNames().SequenceEqual([host]) && !names.EnumerateIPAddresses().Any()
            && identifier is { Critical: true } && keyAuthorizations.Any(k => identifier.RawData.AsSpan().SequenceEqual(TlsAlpn01Certificate.ExtensionValue(k)));
    }

    private void Advance(FakeAcmeOrder order)
    {
        if (order.Status != AcmeStatus.Pending)
        {
            return;
        }

        var authorizations = order.Authorizations.Select(id => _authorizations[id]).ToArray();
        if (authorizations.Any(a => a.Status == AcmeStatus.Invalid))
        {
            order.Status = AcmeStatus.Invalid;
            order.Error = authorizations.First(a => a.Status == AcmeStatus.Invalid).Error;
        }
        else if (authorizations.All(a => a.Status == AcmeStatus.Valid))
        {
            order.Status = AcmeStatus.Ready;
        }
    }

    private void Issue(FakeAcmeOrder order)
    {
        var request = new CertificateRequest(order.Csr!.SubjectName, order.Csr.PublicKey, HashAlgorithmName.SHA256);
        foreach (var extension in order.Csr.CertificateExtensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        var generator = X509SignatureGenerator.CreateForECDsa(_caKey);
        using var leaf = request.Create(_ca.SubjectName, generator, notBefore, notBefore + CertificateLifetime, RandomNumberGenerator.GetBytes(16));
        _certificates[order.Id] = leaf.ExportCertificatePem() + "\n" + _ca.ExportCertificatePem() + "\n";
        order.Status = AcmeStatus.Valid;
    }

    private static JsonObject OrderJson(FakeAcmeOrder order)
    {
        var json = new JsonObject
        {
            ["status"] = order.Status,
            ["identifiers"] = new JsonArray(order.Hosts.Select(h => (JsonNode)new JsonObject { ["type"] = "dns", ["value"] = h }).ToArray()),
            ["authorizations"] = new JsonArray(order.Authorizations.Select(id => (JsonNode)JsonValue.Create(Base + "/authz/" + id)).ToArray()),
            ["finalize"] = Base + "/finalize/" + order.Id,
        };
        if (order.Status == AcmeStatus.Valid)
        {
            json["certificate"] = Base + "/certificate/" + order.Id;
        }

        if (order.Error is not null)
        {
            json["error"] = JsonSerializer.SerializeToNode(order.Error, AcmeJsonContext.Default.AcmeProblem);
        }

        return json;
    }

    private static JsonObject AuthorizationJson(FakeAcmeAuthorization authorization) => new()
    {
        ["identifier"] = new JsonObject { ["type"] = "dns", ["value"] = authorization.Host },
        ["status"] = authorization.Status,
        ["challenges"] = new JsonArray(
            new JsonObject { ["type"] = "dns-01", ["url"] = Base + "/challenge-dns/" + authorization.Id, ["status"] = "pending", ["token"] = authorization.Token },
            ChallengeJson(authorization, AcmeChallenge.TlsAlpn01),
            ChallengeJson(authorization, AcmeChallenge.Http01)),
    };

    // Only the answered challenge changes status; the others stay pending (RFC 8555 §7.1.4).
    private static JsonObject ChallengeJson(FakeAcmeAuthorization authorization, string? type)
    {
        var answered = type == authorization.ChallengeType;
        var json = new JsonObject
        {
            ["type"] = type,
            ["url"] = Base + (type == AcmeChallenge.TlsAlpn01 ? "/challenge-tls/" : "/challenge/") + authorization.Id,
            ["status"] = answered ? authorization.ChallengeStatus : AcmeStatus.Pending,
            ["token"] = authorization.Token,
        };
        if (answered && authorization.Error is not null)
        {
            json["error"] = JsonSerializer.SerializeToNode(authorization.Error, AcmeJsonContext.Default.AcmeProblem);
        }

        return json;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode json)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8) };
        response.Content.Headers.ContentType = new("application/json");
        return response;
    }

    public static HttpResponseMessage Problem(HttpStatusCode status, string type, string detail)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(new JsonObject { ["type"] = AcmeProblem.AcmeErrorPrefix + type, ["detail"] = detail, ["status"] = (int)status }.ToJsonString()),
        };
        response.Content.Headers.ContentType = new("application/problem+json");
        return response;
    }

    private string NewNonce()
    {
        var nonce = Base64Url.Encode(RandomNumberGenerator.GetBytes(12));
        _nonces[nonce] = true;
        return nonce;
    }

    private string Next() => Interlocked.Increment(ref _counter).ToString();

    private static string AccountUrl(string thumbprint) => Base + "/account/" + thumbprint;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ca.Dispose();
            _caKey.Dispose();
        }

        base.Dispose(disposing);
    }
}
