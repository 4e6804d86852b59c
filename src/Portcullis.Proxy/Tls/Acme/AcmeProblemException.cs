using System.Text;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// An ACME server refused or failed a step (RFC 8555 §6.7). The message says what the operator
/// should fix, host by host; the problem document and the server's Retry-After are kept for
/// callers that decide when to try again.
/// </summary>
public sealed class AcmeProblemException : Exception
{
    /// <param name="challengeType">The challenge that was being validated ("http-01", "tls-alpn-01"), when the problem is a validation's: it decides which port the fix names.</param>
    public AcmeProblemException(AcmeProblem problem, string? url = null, AcmeIdentifier? identifier = null, TimeSpan? retryAfter = null, string? challengeType = null)
        : base(Describe(problem, identifier, retryAfter, challengeType))
    {
        Problem = problem;
        Url = url;
        Identifier = identifier ?? problem.Identifier;
        RetryAfter = retryAfter;
        ChallengeType = challengeType;
    }

    public AcmeProblem Problem { get; }

    /// <summary>The request URL the problem came back from, when it came from a request.</summary>
    public string? Url { get; }

    /// <summary>The identifier the problem is about, when known (a challenge's host, or the subproblem's).</summary>
    public AcmeIdentifier? Identifier { get; }

    /// <summary>The server's Retry-After (RFC 8555 §6.6 for rateLimited), when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The challenge whose validation failed, when the problem is a validation's.</summary>
    public string? ChallengeType { get; }

    /// <summary>The ACME error name ("rateLimited"), or null for a non-ACME problem type.</summary>
    public string? ErrorName => Problem.AcmeErrorName;

    /// <summary>
    /// One line per problem, each naming what to fix. Subproblems (RFC 8555 §6.7.1) are described
    /// one by one, each with its own identifier.
    /// </summary>
    public static string Describe(AcmeProblem problem, AcmeIdentifier? identifier = null, TimeSpan? retryAfter = null, string? challengeType = null)
    {
        var text = new StringBuilder(DescribeOne(problem, problem.Identifier ?? identifier, retryAfter, challengeType));
        foreach (var subproblem in problem.Subproblems ?? [])
        {
            text.Append("; ").Append(DescribeOne(subproblem, subproblem.Identifier ?? identifier, retryAfter, challengeType));
        }

        return text.ToString();
    }

    private static string DescribeOne(AcmeProblem problem, AcmeIdentifier? identifier, TimeSpan? retryAfter, string? challengeType)
    {
        var host = identifier?.Value ?? "the site's host";
        // The problem document itself follows what to fix (RFC 8555 §6.7): its detail and its type.
        var quoted = string.Join("; ", new[]
        {
            string.IsNullOrWhiteSpace(problem.Detail) ? null : $"the ACME server said: {problem.Detail.Trim()}",
            problem.Type is null ? null : $"problem type {problem.Type}",
        }.OfType<string>());
        var detail = quoted.Length == 0 ? "" : $" ({quoted})";
        var name = problem.AcmeErrorName;
        if (name == "connection" && LooksLikeResolutionFailure(problem.Detail))
        {
            name = "dns"; // Some CAs (pebble) report a name that does not resolve as a connection failure.
        }

        var tlsAlpn = challengeType == AcmeChallenge.TlsAlpn01;
        var fix = name switch
        {
            // tls-alpn-01 validates in a TLS handshake on port 443 (RFC 8737 §3), so a TLS-terminating
            // proxy or CDN in front answers with its own certificate.
            "connection" when tlsAlpn => $"port 443 of {host} is not reachable from the internet: open and forward TCP port 443 to Portcullis (the CA validates tls-alpn-01 in a TLS handshake there)",
            "unauthorized" or "incorrectResponse" or "tls" when tlsAlpn => $"the CA did not get Portcullis's tls-alpn-01 certificate from port 443 of {host}: check that {host} points at this server and that port 443 reaches Portcullis directly, not a TLS-terminating proxy or CDN",
            // http-01 validation could not connect (RFC 8555 §8.3): the CA reaches port 80 of the name.
            "connection" => $"port 80 of {host} is not reachable from the internet: open and forward TCP port 80 to Portcullis (the CA validates over plain HTTP)",
            "dns" => $"DNS for {host} does not resolve, or points elsewhere: give {host} an A/AAAA record with this server's public address",
            // The CA got an answer, but not ours: another server answers port 80 for the name.
            "unauthorized" or "incorrectResponse" => $"the CA did not get Portcullis's answer at http://{host}/.well-known/acme-challenge/: check that {host} points at this server and that port 80 reaches Portcullis, not another web server",
            "tls" => $"the CA could not complete TLS with {host} while validating: check what answers ports 80 and 443 of {host}",
            "caa" => $"a CAA record of {host} does not allow this CA to issue: add the CA's domain to the CAA record, or remove it",
            "rejectedIdentifier" => $"the CA will not issue a certificate for {host}: use a publicly resolvable name the CA accepts",
            "unsupportedIdentifier" => $"the CA does not support the identifier {host}: use a DNS name (wildcards need dns-01, which Portcullis does not do)",
            "rateLimited" => retryAfter is { } wait
                ? $"the CA's rate limit was hit: Portcullis retries after {FormatDuration(wait)}; avoid deleting data_dir, it holds the certificates already issued"
                : "the CA's rate limit was hit: Portcullis retries later; avoid deleting data_dir, it holds the certificates already issued",
            "badNonce" => "the CA rejected the request's nonce twice in a row: check that no proxy in between caches or replays ACME responses",
            "userActionRequired" => problem.Instance is { } instance
                ? $"the CA requires an action from you: visit {instance} (usually new terms of service)"
                : "the CA requires an action from you (usually new terms of service): see its website",
            "externalAccountRequired" => "the CA requires an external account binding (EAB), which this ACME client does not send: use a CA that does not need one",
            "accountDoesNotExist" => "the CA no longer knows the ACME account: remove the account key from data_dir to register a new one",
            "invalidContact" or "unsupportedContact" => "the CA refused the contact e-mail address: set a valid address",
            "badCSR" => $"the CA refused the certificate request for {host}",
            "badPublicKey" or "badSignatureAlgorithm" => "the CA does not accept P-256 (ES256) keys",
            "orderNotReady" => "the order was finalized before every authorization was valid",
            "alreadyReplaced" => "the certificate was already renewed (RFC 9773 §5): another instance sharing data_dir probably did it",
            "serverInternal" => "the CA had an internal error: Portcullis retries later",
            "malformed" => "the CA found the request malformed",
            "compound" => "the CA refused several things",
            _ => $"the ACME server refused the request (type {problem.Type ?? "unknown"}, status {problem.Status?.ToString() ?? "none"})",
        };
        return fix + detail;
    }

    private static bool LooksLikeResolutionFailure(string? detail) =>
        detail is not null
        && (detail.Contains("resolve", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("no such host", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("NXDOMAIN", StringComparison.Ordinal)
            || detail.Contains("DNS problem", StringComparison.OrdinalIgnoreCase));

    private static string FormatDuration(TimeSpan duration) =>
        duration >= TimeSpan.FromHours(1) ? $"{duration.TotalHours:0.#} h"
        : duration >= TimeSpan.FromMinutes(1) ? $"{duration.TotalMinutes:0.#} min"
        : $"{Math.Ceiling(duration.TotalSeconds):0} s";
}
