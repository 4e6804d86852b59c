namespace Portcullis.Proxy.Configuration;

/// <summary>
/// acme: automatic certificates (RFC 8555) for every site without tls.certificate. Absent (null in
/// <see cref="ProxyConfig.Acme"/>) unless the section is written; then email is required.
/// </summary>
public sealed record AcmeConfig
{
    /// <summary>acme.email: the account's contact (sent as mailto:, RFC 8555 §7.3); the CA writes here before a certificate expires.</summary>
    public required string Email { get; init; }

    /// <summary>acme.directory: the CA's directory URL; Let's Encrypt's production one by default.</summary>
    public Uri Directory { get; init; } = new(AcmeDirectories.LetsEncryptProduction);

    /// <summary>acme.ca: a PEM file with extra CA certificates trusted for the ACME server itself (a private CA: step-ca, pebble); null trusts the system's roots only.</summary>
    public string? CaPath { get; init; }

    /// <summary>
    /// acme.challenges: the challenges answered, preferred first ("http-01", RFC 8555 §8.3;
    /// "tls-alpn-01", RFC 8737). Null when not written: see <see cref="ChallengesFor"/>.
    /// </summary>
    public IReadOnlyList<string>? Challenges { get; init; }

    /// <summary>Where the acme section was written, for errors and warnings about it.</summary>
    public required ConfigLocation Location { get; init; }

    /// <summary>
    /// The challenges answered, preferred first: acme.challenges as written, or by default every
    /// challenge a listener can answer: http-01 on listen.http first (the most used, and a TLS
    /// problem cannot fail it), then tls-alpn-01 on listen.https, which still works when port 80
    /// is closed. After a failed validation the issuer tries the next one first.
    /// </summary>
    public IReadOnlyList<string> ChallengesFor(ListenConfig listen)
    {
        if (Challenges is not null)
        {
            return Challenges;
        }

        var challenges = new List<string>(2);
        if (listen.Http.Count > 0)
        {
            challenges.Add(AcmeChallengeNames.Http01);
        }

        if (listen.Https.Count > 0)
        {
            challenges.Add(AcmeChallengeNames.TlsAlpn01);
        }

        return challenges;
    }
}
