namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The payload "{}" that tells the server a challenge is ready (RFC 8555 §7.5.1), which is not
/// the empty payload of a POST-as-GET (§6.3).
/// </summary>
public sealed record AcmeEmptyObject;
