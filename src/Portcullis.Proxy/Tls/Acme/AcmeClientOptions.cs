namespace Portcullis.Proxy.Tls.Acme;

/// <summary>How patient the ACME client is.</summary>
public sealed record AcmeClientOptions
{
    /// <summary>Between two polls of an order or authorization when the server sends no Retry-After.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one order may take from newOrder to the downloaded certificate.</summary>
    public TimeSpan OrderTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Retries of one request the server answered with badNonce (RFC 8555 §6.5: the client
    /// should retry with the nonce that came with the error).
    /// </summary>
    public int BadNonceRetries { get; init; } = 3;

    /// <summary>Contact URLs for the account (RFC 8555 §7.3), e.g. "mailto:admin@domain.tld".</summary>
    public IReadOnlyList<string> Contact { get; init; } = [];

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
