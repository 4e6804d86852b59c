using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>A renewalInfo response (RFC 9773 §4.2): the window the CA wants the renewal in.</summary>
public sealed record AcmeRenewalInfo
{
    [JsonPropertyName("suggestedWindow")] public required AcmeRenewalWindow SuggestedWindow { get; init; }

    [JsonPropertyName("explanationURL")] public string? ExplanationUrl { get; init; }
}
