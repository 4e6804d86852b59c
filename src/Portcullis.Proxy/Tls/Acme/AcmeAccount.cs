using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>An account object (RFC 8555 §7.1.2), as far as we read it.</summary>
public sealed record AcmeAccount
{
    [JsonPropertyName("status")] public string? Status { get; init; }

    [JsonPropertyName("contact")] public IReadOnlyList<string>? Contact { get; init; }
}
