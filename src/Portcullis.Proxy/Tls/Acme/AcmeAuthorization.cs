using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>An authorization for one identifier (RFC 8555 §7.1.4).</summary>
public sealed record AcmeAuthorization
{
    [JsonPropertyName("identifier")] public required AcmeIdentifier Identifier { get; init; }

    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; init; }

    [JsonPropertyName("challenges")] public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];

    [JsonPropertyName("wildcard")] public bool? Wildcard { get; init; }
}
