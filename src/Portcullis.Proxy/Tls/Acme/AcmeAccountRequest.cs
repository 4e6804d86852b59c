using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>The newAccount payload (RFC 8555 §7.3); onlyReturnExisting looks an account up (§7.3.1).</summary>
public sealed record AcmeAccountRequest
{
    [JsonPropertyName("contact")] public IReadOnlyList<string>? Contact { get; init; }

    [JsonPropertyName("termsOfServiceAgreed")] public bool? TermsOfServiceAgreed { get; init; }

    [JsonPropertyName("onlyReturnExisting")] public bool? OnlyReturnExisting { get; init; }
}
