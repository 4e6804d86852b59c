using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// A problem document (RFC 7807, RFC 8555 §6.7): what an ACME server says went wrong. Subproblems
/// (§6.7.1) name the identifier each one is about.
/// </summary>
public sealed record AcmeProblem
{
    /// <summary>The prefix of every ACME error type (RFC 8555 §6.7).</summary>
    public const string AcmeErrorPrefix = "urn:ietf:params:acme:error:";

    [JsonPropertyName("type")] public string? Type { get; init; }

    [JsonPropertyName("detail")] public string? Detail { get; init; }

    [JsonPropertyName("status")] public int? Status { get; init; }

    [JsonPropertyName("instance")] public string? Instance { get; init; }

    [JsonPropertyName("identifier")] public AcmeIdentifier? Identifier { get; init; }

    [JsonPropertyName("subproblems")] public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    /// <summary>The ACME error name without its URN prefix ("badNonce"), or null for another type.</summary>
    [JsonIgnore]
    public string? AcmeErrorName =>
        Type is not null && Type.StartsWith(AcmeErrorPrefix, StringComparison.Ordinal) ? Type[AcmeErrorPrefix.Length..] : null;
}
