using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>An ACME server's directory (RFC 8555 §7.1.1), with RFC 9773's renewalInfo.</summary>
public sealed record AcmeDirectory
{
    [JsonPropertyName("newNonce")] public required string NewNonce { get; init; }

    [JsonPropertyName("newAccount")] public required string NewAccount { get; init; }

    [JsonPropertyName("newOrder")] public required string NewOrder { get; init; }

    [JsonPropertyName("revokeCert")] public string? RevokeCert { get; init; }

    [JsonPropertyName("keyChange")] public string? KeyChange { get; init; }

    /// <summary>ACME Renewal Information (RFC 9773 §4); null when the server offers none.</summary>
    [JsonPropertyName("renewalInfo")] public string? RenewalInfo { get; init; }

    [JsonPropertyName("meta")] public AcmeDirectoryMeta? Meta { get; init; }
}
