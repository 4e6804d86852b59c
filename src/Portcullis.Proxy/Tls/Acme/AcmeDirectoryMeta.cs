using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>The directory's "meta" object (RFC 8555 §7.1.1).</summary>
public sealed record AcmeDirectoryMeta
{
    [JsonPropertyName("termsOfService")] public string? TermsOfService { get; init; }

    [JsonPropertyName("website")] public string? Website { get; init; }

    [JsonPropertyName("externalAccountRequired")] public bool? ExternalAccountRequired { get; init; }
}
