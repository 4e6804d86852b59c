namespace Portcullis.Proxy.Configuration;

/// <summary>The ACME challenge types Portcullis answers, named as CAs and acme.challenges write them.</summary>
public static class AcmeChallengeNames
{
    /// <summary>RFC 8555 §8.3: a file fetched over plain HTTP on port 80.</summary>
    public const string Http01 = "http-01";

    /// <summary>RFC 8737: a certificate served in a TLS handshake on port 443, with ALPN "acme-tls/1".</summary>
    public const string TlsAlpn01 = "tls-alpn-01";
}
