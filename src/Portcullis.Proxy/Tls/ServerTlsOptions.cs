using System.Net.Security;
using System.Security.Authentication;

namespace Portcullis.Proxy.Tls;

/// <summary>Builds the per-site TLS server options, once per configuration, shared by every handshake.</summary>
public static class ServerTlsOptions
{
    // "http/1.0" too (RFC 7301 §6 registers it): curl --http1.0, monitoring probes and old tools
    // offer only it, and an ALPN list without a match ends the handshake with no_application_protocol
    // (RFC 7301 §3.2). Kestrel serves a connection that negotiated it with its HTTP/1.x parser.
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11, new("http/1.0")];

    // Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only. Used only when a
    // site asks for min_version "1.2"; TLS 1.3 suites are all strong.
    private static readonly TlsCipherSuite[] Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public static SslServerAuthenticationOptions Create(ServerCertificate certificate, SslProtocols protocols) => new()
    {
        ServerCertificateContext = certificate.Context,
        EnabledSslProtocols = protocols,
        ApplicationProtocols = Alpn,
        AllowRenegotiation = false,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        CipherSuitesPolicy = protocols.HasFlag(SslProtocols.Tls12) && !OperatingSystem.IsWindows() ? new CipherSuitesPolicy(Suites) : null,
    };
}
