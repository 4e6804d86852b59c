namespace Portcullis.Proxy.Configuration;

/// <summary>How the upstream's certificate is checked. Verified by default, as a browser would.</summary>
public sealed record UpstreamTlsConfig
{
    /// <summary>False accepts any certificate: only for an upstream on a private network.</summary>
    public bool Verify { get; init; } = true;

    /// <summary>Extra trusted roots (PEM), e.g. the CA that signed authentik's certificate.</summary>
    public string? CaPath { get; init; }

    /// <summary>Base64 SHA-256 hashes of SubjectPublicKeyInfo; any match is accepted (RFC 7469 §2.4).</summary>
    public IReadOnlyList<string> PinSha256 { get; init; } = [];

    /// <summary>The name to verify and send as SNI; null: the upstream URL's host.</summary>
    public string? ServerName { get; init; }

    public static UpstreamTlsConfig Default { get; } = new();

    // Records compare lists by reference; upstream handlers are reused across reloads when equal.
    public bool Equals(UpstreamTlsConfig? other) =>
        other is not null && Verify == other.Verify && CaPath == other.CaPath
        && ServerName == other.ServerName && PinSha256.SequenceEqual(other.PinSha256);

    public override int GetHashCode() => HashCode.Combine(Verify, CaPath, ServerName, PinSha256.Count);
}
