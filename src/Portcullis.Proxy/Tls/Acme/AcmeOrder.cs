using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// An order (RFC 8555 §7.1.3). Status runs pending → ready → processing → valid, or ends in
/// invalid with <see cref="Error"/> (§7.1.6).
/// </summary>
public sealed record AcmeOrder
{
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; init; }

    [JsonPropertyName("identifiers")] public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];

    [JsonPropertyName("authorizations")] public IReadOnlyList<string> Authorizations { get; init; } = [];

    [JsonPropertyName("finalize")] public required string Finalize { get; init; }

    [JsonPropertyName("certificate")] public string? Certificate { get; init; }

    [JsonPropertyName("error")] public AcmeProblem? Error { get; init; }
}
