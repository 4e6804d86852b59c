namespace Portcullis.Proxy.Tls;

/// <summary>What <see cref="ClientHelloAlpn.Scan"/> made of the bytes a connection has sent so far.</summary>
public enum ClientHelloAlpnScan
{
    /// <summary>A valid beginning of a TLS handshake record that announces more bytes: wait for them.</summary>
    NeedMoreData,

    /// <summary>A well-formed ClientHello whose ALPN extension lists the protocol (RFC 7301 §3.1). More bytes do not change it.</summary>
    Offered,

    /// <summary>
    /// Not a ClientHello (plain HTTP, a PROXY protocol header, SSLv2), a malformed one, one that does
    /// not fit in its first record, or one whose ALPN extension is absent or lacks the protocol.
    /// More bytes do not change it.
    /// </summary>
    NotOffered,
}
