namespace Portcullis.Check.Catalog;

/// <summary>
/// Every check's requirement and fix, in one place so the texts stay consistent. Each fix names
/// the concrete setting for nginx, Caddy, Traefik, HAProxy and Portcullis, and where authentik
/// itself has a part, its setting too (facts and the authentik issues behind them: docs/authentik.md).
/// </summary>
internal static class CheckCatalog
{
    private const string TrustedCidrs = "authentik: the proxy's address must be inside AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS (default 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fe80::/10, ::1/128), else X-Forwarded-* are ignored.";

    private static readonly Dictionary<string, CheckDefinition> Definitions = new CheckDefinition[]
    {
        new(CheckIds.HttpRedirect,
            "HTTP answers 301/308 to the same host and path on HTTPS",
            "nginx: server { listen 80; return 308 https://$host$request_uri; } (add :PORT after $host when HTTPS is not on 443; $http_host would keep the HTTP port) | "
            + "Caddy: automatic HTTPS redirects are on unless auto_https off/disable_redirects | "
            + "Traefik: entryPoints.web.http.redirections.entryPoint.to=websecure, scheme=https, permanent=true | "
            + "HAProxy: http-request redirect scheme https code 308 unless { ssl_fc } | "
            + "Portcullis: listen.http on (the redirect is built in, sites[].redirect_http not false); listen.https_port when the published HTTPS port differs."),
        new(CheckIds.Hsts,
            "HSTS present with max-age of at least one year",
            "nginx: add_header Strict-Transport-Security \"max-age=63072000\" always; | "
            + "Caddy: header Strict-Transport-Security \"max-age=63072000\" | "
            + "Traefik: headers middleware stsSeconds: 63072000 | "
            + "HAProxy: http-response set-header Strict-Transport-Security \"max-age=63072000\" | "
            + "Portcullis: default (sites[].hsts: \"max-age=63072000\"; do not set it to false)."),
        new(CheckIds.TlsVersions,
            "TLS 1.3 offered; nothing below TLS 1.2",
            "nginx: ssl_protocols TLSv1.3; (TLSv1.2 TLSv1.3 if old clients need it; nginx before 1.23.4 offers no TLS 1.3 unless listed) | "
            + "Caddy: tls { protocols tls1.3 } | "
            + "Traefik: tls.options.default.minVersion: VersionTLS13 | "
            + "HAProxy: global ssl-default-bind-options ssl-min-ver TLSv1.3 | "
            + "Portcullis: default (sites[].tls.min_version: \"1.3\")."),
        new(CheckIds.TlsCertificate,
            "Certificate trusted, valid for the host, not expiring within 14 days",
            "nginx: ssl_certificate fullchain.pem; (the chain, not cert.pem) ssl_certificate_key privkey.pem; | "
            + "Caddy: automatic HTTPS, or tls cert.pem key.pem with the full chain | "
            + "Traefik: a certificatesResolvers ACME resolver on the router (tls.certResolver) | "
            + "HAProxy: bind :443 ssl crt /etc/haproxy/site.pem (chain and key in one PEM) | "
            + "Portcullis: sites[].tls.certificate (fullchain.pem) and sites[].tls.key; the host must be in the certificate's names; renew before expiry."),
        new(CheckIds.Http2,
            "HTTP/2 offered by ALPN",
            "nginx: http2 on; (1.25.1+) or listen 443 ssl http2; | Caddy: default (do not restrict servers protocols) | "
            + "Traefik: default | HAProxy: bind :443 ssl crt ... alpn h2,http/1.1 | Portcullis: default."),
        new(CheckIds.ForwardedProto,
            "The upstream sees the request as HTTPS (X-Forwarded-Proto: https believed)",
            "nginx: proxy_set_header X-Forwarded-Proto $scheme; | "
            + "Caddy: default; behind another proxy set servers { trusted_proxies static <LB CIDR> } or the first proxy's https is lost | "
            + "Traefik: default; behind another proxy entryPoints.websecure.forwardedHeaders.trustedIPs=<LB CIDR> | "
            + "HAProxy: http-request set-header X-Forwarded-Proto https if { ssl_fc } | "
            + "Portcullis: default; trusted_proxies for a load balancer in front | " + TrustedCidrs),
        new(CheckIds.HostPort,
            "The Host header reaches the upstream with its port",
            "nginx: proxy_set_header Host $http_host; ($host drops the port) | "
            + "Caddy: default (remove any header_up Host {upstream_hostport}) | "
            + "Traefik: passHostHeader: true (default) | "
            + "HAProxy: default (no http-request set-header Host) | "
            + "Portcullis: default."),
        new(CheckIds.ClientIp,
            "The client IP the upstream concludes is the checker's own address",
            "nginx: proxy_set_header X-Forwarded-For $remote_addr; (behind a load balancer: set_real_ip_from <LB CIDR>; real_ip_header X-Forwarded-For;) | "
            + "Caddy: default; trusted_proxies for a load balancer in front | "
            + "Traefik: default; forwardedHeaders.trustedIPs for a load balancer in front | "
            + "HAProxy: http-request set-header X-Forwarded-For %[src] | "
            + "Portcullis: default; trusted_proxies for a load balancer in front | " + TrustedCidrs),
        new(CheckIds.ClientIpSpoofXff,
            "A forged X-Forwarded-For does not become the client IP",
            "nginx: proxy_set_header X-Forwarded-For $remote_addr; instead of $proxy_add_x_forwarded_for | "
            + "Caddy: default; list only your own load balancers in servers { trusted_proxies ... } | "
            + "Traefik: entryPoints.websecure.forwardedHeaders.trustedIPs=<your load balancers only>, never forwardedHeaders.insecure | "
            + "HAProxy: http-request set-header X-Forwarded-For %[src] instead of option forwardfor (which appends to the client's) | "
            + "Portcullis: default (client X-Forwarded-For is replaced); trusted_proxies only for your own load balancers."),
        new(CheckIds.ClientIpSpoofXRealIp,
            "A forged X-Real-IP does not become the client IP",
            "nginx: proxy_set_header X-Real-IP $remote_addr; | "
            + "Caddy: header_up X-Real-IP {remote_host} | "
            + "Traefik: default (it sets X-Real-Ip), forwardedHeaders.trustedIPs only for your load balancers, never insecure | "
            + "HAProxy: http-request set-header X-Real-IP %[src] | "
            + "Portcullis: default (X-Real-IP from clients is removed)."),
        new(CheckIds.ClientIpSpoofForwarded,
            "A forged Forwarded: for= does not become the client IP",
            "nginx: proxy_set_header Forwarded \"\"; | "
            + "Caddy: header_up -Forwarded | "
            + "Traefik: headers middleware customRequestHeaders: { Forwarded: \"\" } | "
            + "HAProxy: http-request del-header Forwarded | "
            + "Portcullis: default (Forwarded from clients is removed)."),
        new(CheckIds.ClientIpSpoofUnderscore,
            "A forged X_Forwarded_For (underscore spelling) does not reach the upstream",
            "Django and other WSGI/CGI readers turn X_Forwarded_For into the same HTTP_X_FORWARDED_FOR as X-Forwarded-For. "
            + "nginx: underscores_in_headers off; (the default: such headers are dropped) | "
            + "Caddy: header_up -X_Forwarded_For and header_up -X_Real_IP | "
            + "Traefik: default forwardedHeaders (it removes underscore spellings) | "
            + "HAProxy: http-request del-header X_Forwarded_For, X_Real_IP, X_Forwarded_Proto, X_Forwarded_Host | "
            + "Portcullis: default (underscore spellings are removed)."),
        new(CheckIds.UpstreamHttp11,
            "The upstream receives HTTP/1.1 or later, not HTTP/1.0",
            "nginx: proxy_http_version 1.1; (its default is 1.0: no keep-alive, no WebSockets) | "
            + "Caddy: default | Traefik: default | HAProxy: default | Portcullis: default."),
        new(CheckIds.LargeCookie,
            "A 32 KiB Cookie header reaches the upstream whole",
            "nginx: large_client_header_buffers 4 64k; (and for large responses proxy_buffer_size 128k; proxy_buffers 4 256k; proxy_busy_buffers_size 256k;) | "
            + "Caddy: servers { max_header_size 64KB } if lowered | "
            + "Traefik: default (1 MiB) | "
            + "HAProxy: global tune.bufsize 65536 (the 16 KiB default cannot hold it) | "
            + "Portcullis: limits.max_request_headers (default 64 KiB)."),
        new(CheckIds.CsrfOrigin,
            "A CSRF-protected POST with the browser's Origin is accepted",
            "The Origin must equal https://host[:port] as authentik computes it: fix forwarded-proto and host-port first. "
            + "nginx: proxy_set_header Host $http_host; proxy_set_header X-Forwarded-Proto $scheme; | "
            + "Caddy: trusted_proxies when behind another proxy | "
            + "Traefik: passHostHeader: true; forwardedHeaders.trustedIPs when behind another proxy | "
            + "HAProxy: http-request set-header X-Forwarded-Proto https if { ssl_fc } | "
            + "Portcullis: default | " + TrustedCidrs),
        new(CheckIds.WebSocketHttp11,
            "WebSocket over HTTP/1.1: handshake, echo, close code passed through",
            "nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; (map $http_upgrade $connection_upgrade { default upgrade; '' close; }) | "
            + "Caddy: default | Traefik: default | HAProxy: default (add timeout tunnel 1h) | Portcullis: default."),
        new(CheckIds.WebSocketHttp2,
            "WebSocket over HTTP/2 (RFC 8441 extended CONNECT): handshake, echo, close code",
            "nginx: not supported; browsers fall back to HTTP/1.1 WebSockets only when the server does not advertise extended CONNECT | "
            + "Caddy: 2.9 or later | "
            + "Traefik: follow its release notes for RFC 8441 | "
            + "HAProxy: 2.4 or later (default) | "
            + "Portcullis: default."),
        new(CheckIds.WebSocketIdle,
            "An idle WebSocket stays open past 65 s",
            "nginx: proxy_read_timeout 3600s; proxy_send_timeout 3600s; in the WebSocket location | "
            + "Caddy: default (no stream timeout) | "
            + "Traefik: entryPoints.websecure.transport.respondingTimeouts.idleTimeout, and serversTransport forwardingTimeouts.idleConnTimeout | "
            + "HAProxy: timeout tunnel 1h | "
            + "Portcullis: timeouts.websocket_idle (default 1h)."),
    }.Concat(ForwardAuthDefinitions.All).ToDictionary(definition => definition.Id);

    public static CheckDefinition Get(string id) => Definitions[id];

    public static CheckResult Pass(string id, string detail) => new(id, Get(id).Requirement, CheckStatus.Pass, detail, null);

    public static CheckResult Warn(string id, string detail) => new(id, Get(id).Requirement, CheckStatus.Warn, detail, Get(id).Fix);

    public static CheckResult Fail(string id, string detail) => new(id, Get(id).Requirement, CheckStatus.Fail, detail, Get(id).Fix);

    public static CheckResult Skip(string id, string detail) => new(id, Get(id).Requirement, CheckStatus.Skip, detail, null);
}
