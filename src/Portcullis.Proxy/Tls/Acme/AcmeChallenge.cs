using System.Text.Json.Serialization;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>A challenge of an authorization (RFC 8555 §7.1.5, §8); http-01 and tls-alpn-01 are the ones we answer.</summary>
public sealed record AcmeChallenge
{
    public const string Http01 = AcmeChallengeNames.Http01;

    /// <summary>RFC 8737: validated in a TLS handshake on port 443, with ALPN "acme-tls/1".</summary>
    public const string TlsAlpn01 = AcmeChallengeNames.TlsAlpn01;

    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("url")] public required string Url { get; init; }

    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("token")] public string? Token { get; init; }

    [JsonPropertyName("validated")] public DateTimeOffset? Validated { get; init; }

    [JsonPropertyName("error")] public AcmeProblem? Error { get; init; }
}
