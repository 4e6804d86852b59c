namespace Portcullis.Proxy.Forwarding;

/// <summary>Why a request could not be served by its upstream, in the few classes an operator alerts on.</summary>
public enum UpstreamErrorReason
{
    /// <summary>No TCP connection: refused, unreachable, name not resolved.</summary>
    Connect,

    /// <summary>The TLS handshake failed or the upstream's certificate was rejected (upstream_tls).</summary>
    Tls,

    /// <summary>No answer within timeouts.upstream_connect or timeouts.upstream_response.</summary>
    Timeout,

    /// <summary>Anything else: invalid or too large response headers, a response cut short.</summary>
    Other,
}
