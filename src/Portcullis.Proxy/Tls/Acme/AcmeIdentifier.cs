using System.Text.Json.Serialization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>An identifier a certificate is for (RFC 8555 §7.1.3, §9.7.7): a DNS name here.</summary>
public sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value)
{
    public static AcmeIdentifier Dns(string name) => new("dns", name);
}
