using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>The finalize payload (RFC 8555 §7.4): the CSR, DER in base64url.</summary>
public sealed record AcmeFinalizeRequest([property: JsonPropertyName("csr")] string Csr);
