using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>A challenge of an authorization (RFC 8555 §7.1.5, §8); http-01 is the one we answer.</summary>
public sealed record AcmeChallenge
{
    public const string Http01 = "http-01";

    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("url")] public required string Url { get; init; }

    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("token")] public string? Token { get; init; }

    [JsonPropertyName("validated")] public DateTimeOffset? Validated { get; init; }

    [JsonPropertyName("error")] public AcmeProblem? Error { get; init; }
}
