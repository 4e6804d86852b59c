namespace Portcullis.Proxy.Tls.Acme;

/// <summary>An ACME resource as the server returned it, with its URL (Location) and Retry-After.</summary>
public sealed record AcmeResponse<T>(T Value, string? Location, TimeSpan? RetryAfter);
