using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The newOrder payload (RFC 8555 §7.4), with RFC 9773 §5's "replaces": the certificate this
/// order renews, so the CA can exempt it from rate limits.
/// </summary>
public sealed record AcmeOrderRequest
{
    [JsonPropertyName("identifiers")] public required IReadOnlyList<AcmeIdentifier> Identifiers { get; init; }

    [JsonPropertyName("replaces")] public string? Replaces { get; init; }
}
