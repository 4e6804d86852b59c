namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>What <see cref="ProxyHeaderParser"/> made of the bytes a connection has sent so far.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>A valid beginning of a header: wait for more bytes (within timeouts.client_header).</summary>
    NeedMoreData,

    /// <summary>A complete header carrying the client's TCP source and destination: they replace the connection's endpoints.</summary>
    Proxied,

    /// <summary>
    /// A complete header that carries no client: v2 LOCAL (the load balancer's own connection, a
    /// health check) or v1 UNKNOWN. The connection keeps its real endpoints (proxy-protocol.txt 2.1, 2.2).
    /// </summary>
    Local,

    /// <summary>Not a PROXY protocol header, or a malformed one: the connection is closed (proxy-protocol.txt 2.1).</summary>
    Invalid,
}
