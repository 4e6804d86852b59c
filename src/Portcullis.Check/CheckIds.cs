namespace Portcullis.Check;

/// <summary>
/// The stable ids of every check, in report order. Scripts, the JSON output and the
/// conformance suite match on these; renaming one is a breaking change.
/// </summary>
public static class CheckIds
{
    /// <summary>Plain HTTP answers 301/308 to the same host, port-correct, and path on HTTPS.</summary>
    public const string HttpRedirect = "http-redirect";

    /// <summary>Strict-Transport-Security with max-age of at least a year.</summary>
    public const string Hsts = "hsts";

    /// <summary>TLS versions offered: nothing below 1.2; 1.2 is a WARN, 1.3 only a PASS.</summary>
    public const string TlsVersions = "tls-versions";

    /// <summary>The certificate is trusted, valid for the host, and not about to expire.</summary>
    public const string TlsCertificate = "tls-certificate";

    /// <summary>HTTP/2 is offered by ALPN.</summary>
    public const string Http2 = "http2";

    /// <summary>The upstream concludes the request was HTTPS (X-Forwarded-Proto believed).</summary>
    public const string ForwardedProto = "forwarded-proto";

    /// <summary>The Host header reaches the upstream with its port.</summary>
    public const string HostPort = "host-port";

    /// <summary>The client IP the upstream concludes is the checker's own address.</summary>
    public const string ClientIp = "client-ip";

    /// <summary>A forged X-Forwarded-For does not reach the upstream's client IP.</summary>
    public const string ClientIpSpoofXff = "client-ip-spoof-xff";

    /// <summary>A forged X-Real-IP does not reach the upstream's client IP.</summary>
    public const string ClientIpSpoofXRealIp = "client-ip-spoof-x-real-ip";

    /// <summary>A forged Forwarded: for= does not reach the upstream's client IP.</summary>
    public const string ClientIpSpoofForwarded = "client-ip-spoof-forwarded";

    /// <summary>A forged X_Forwarded_For (underscore spelling) does not reach the upstream.</summary>
    public const string ClientIpSpoofUnderscore = "client-ip-spoof-underscore";

    /// <summary>The upstream saw HTTP/1.1 or later, not HTTP/1.0.</summary>
    public const string UpstreamHttp11 = "upstream-http11";

    /// <summary>A 32 KiB Cookie header passes whole.</summary>
    public const string LargeCookie = "large-cookie";

    /// <summary>A CSRF-protected POST with the browser's Origin is accepted.</summary>
    public const string CsrfOrigin = "csrf-origin";

    /// <summary>A WebSocket over HTTP/1.1 Upgrade: handshake, echo, close code.</summary>
    public const string WebSocketHttp11 = "websocket-http11";

    /// <summary>A WebSocket over HTTP/2 extended CONNECT (RFC 8441): handshake, echo, close code.</summary>
    public const string WebSocketHttp2 = "websocket-http2";

    /// <summary>An idle WebSocket survives past nginx's 60 s read timeout (only with Long).</summary>
    public const string WebSocketIdle = "websocket-idle";

    /// <summary>Forward auth: an unauthenticated request to the protected app is redirected to sign in, not served.</summary>
    public const string ForwardAuthRedirect = "forward-auth-redirect";

    /// <summary>Forward auth: the sign-in round trip completes and the outpost's cookie keeps the browser signed in.</summary>
    public const string ForwardAuthSignIn = "forward-auth-sign-in";

    /// <summary>Forward auth: the app receives the user the outpost signed in.</summary>
    public const string ForwardAuthUser = "forward-auth-user";

    /// <summary>Forward auth: forged X-authentik-username/-groups do not reach the app of a signed-in user.</summary>
    public const string ForwardAuthForgedIdentity = "forward-auth-forged-identity";

    /// <summary>Forward auth: forged X-authentik-username/-groups do not reach the app's public (allowlisted) path without a session.</summary>
    public const string ForwardAuthForgedIdentityPublic = "forward-auth-forged-identity-public";

    /// <summary>Forward auth: a client-sent X-Forwarded-Host changes neither the verdict nor the post-login target.</summary>
    public const string ForwardAuthForwardedHost = "forward-auth-forwarded-host";

    /// <summary>Forward auth: a client-sent X-Original-URI or X-Forwarded-Uri does not change the URL the outpost judges.</summary>
    public const string ForwardAuthOriginalUri = "forward-auth-original-uri";

    /// <summary>Forward auth: the app's WebSocket needs a session, and works with one.</summary>
    public const string ForwardAuthWebSocket = "forward-auth-websocket";

    /// <summary>Forward auth: with the outpost unreachable the app is not served (fails closed).</summary>
    public const string ForwardAuthOutpostDown = "forward-auth-outpost-down";

    /// <summary>The forward-auth ids (<c>check --forward-auth</c>), in report order.</summary>
    public static IReadOnlyList<string> ForwardAuth { get; } =
    [
        ForwardAuthRedirect, ForwardAuthSignIn, ForwardAuthUser,
        ForwardAuthForgedIdentity, ForwardAuthForgedIdentityPublic,
        ForwardAuthForwardedHost, ForwardAuthOriginalUri,
        ForwardAuthWebSocket, ForwardAuthOutpostDown,
    ];

    /// <summary>Every id of a deployment check (without <c>--forward-auth</c>), in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        HttpRedirect, Hsts, TlsVersions, TlsCertificate, Http2,
        ForwardedProto, HostPort, ClientIp,
        ClientIpSpoofXff, ClientIpSpoofXRealIp, ClientIpSpoofForwarded, ClientIpSpoofUnderscore,
        UpstreamHttp11, LargeCookie, CsrfOrigin,
        WebSocketHttp11, WebSocketHttp2, WebSocketIdle,
    ];
}
