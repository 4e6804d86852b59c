namespace Portcullis.Check.Catalog;

/// <summary>
/// The forward-auth checks' requirements and fixes, per proxy (nginx auth_request, Caddy
/// forward_auth, Traefik forwardAuth, HAProxy with the haproxy-auth-request Lua script). The
/// outpost's side follows goauthentik/authentik internal/outpost/proxyv2/; the proxies' snippets
/// start from authentik's documented configurations
/// (website/docs/add-secure-apps/providers/proxy/_nginx_standalone.md, _caddy_standalone.md, _traefik_standalone.md).
/// </summary>
internal static class ForwardAuthDefinitions
{
    private const string Outpost = "http://outpost.company:9000";

    private const string TwelveHeaders = "X-Authentik-Username X-Authentik-Groups X-Authentik-Entitlements X-Authentik-Email X-Authentik-Name X-Authentik-Uid X-Authentik-Jwt X-Authentik-Meta-Jwks X-Authentik-Meta-Outpost X-Authentik-Meta-Provider X-Authentik-Meta-App X-Authentik-Meta-Version";

    public static IEnumerable<CheckDefinition> All { get; } =
    [
        new(CheckIds.ForwardAuthRedirect,
            "An unauthenticated request to the app is redirected to sign in, not served",
            $"nginx: location / {{ auth_request /outpost.goauthentik.io/auth/nginx; error_page 401 = @goauthentik_proxy_signin; ... }} location @goauthentik_proxy_signin {{ internal; add_header Set-Cookie $auth_cookie; return 302 /outpost.goauthentik.io/start?rd=$scheme://$http_host$request_uri; }} | "
            + $"Caddy: route {{ reverse_proxy /outpost.goauthentik.io/* {Outpost}; forward_auth {Outpost} {{ uri /outpost.goauthentik.io/auth/caddy; copy_headers ... }} reverse_proxy app:8080 }} | "
            + $"Traefik: a forwardAuth middleware (address: {Outpost}/outpost.goauthentik.io/auth/traefik) on every router of the app | "
            + "HAProxy: http-request lua.auth-request outpost_backend /outpost.goauthentik.io/auth/nginx (haproxy-auth-request), then http-request redirect location /outpost.goauthentik.io/start?rd=%[url] unless { var(txn.auth_response_successful) -m bool }"),
        new(CheckIds.ForwardAuthSignIn,
            "The sign-in round trip completes and the outpost's cookie keeps the browser signed in",
            "All proxies: /outpost.goauthentik.io/* must reach the outpost without forward auth (the callback sets the cookie), the provider's external_host must be exactly the URL users open (scheme, host and port), and Set-Cookie from the auth answer must reach the browser. "
            + $"nginx: location /outpost.goauthentik.io {{ proxy_pass {Outpost}/outpost.goauthentik.io; proxy_set_header Host $host; proxy_set_header X-Original-URL $scheme://$http_host$request_uri; }} and in location /: auth_request_set $auth_cookie $upstream_http_set_cookie; add_header Set-Cookie $auth_cookie; | "
            + $"Caddy: reverse_proxy /outpost.goauthentik.io/* {Outpost} inside the same route, before forward_auth | "
            + $"Traefik: a router Host(`app.company`) && PathPrefix(`/outpost.goauthentik.io/`) to {Outpost}, priority 15 | "
            + "HAProxy: use_backend outpost_backend if { path_beg /outpost.goauthentik.io/ } before the auth-request rule; one outpost replica per backend, or sticky sessions (outpost sessions are per replica, goauthentik/authentik#6883)"),
        new(CheckIds.ForwardAuthUser,
            "The app receives the user the outpost signed in (X-Authentik-Username)",
            "nginx: auth_request_set $authentik_username $upstream_http_x_authentik_username; proxy_set_header X-authentik-username $authentik_username; (the same for groups, entitlements, email, name, uid) | "
            + $"Caddy: forward_auth ... {{ copy_headers {TwelveHeaders} }} | "
            + $"Traefik: forwardAuth.authResponseHeaders: [{TwelveHeaders.Replace(' ', ',')}] | "
            + "HAProxy: http-request set-header X-authentik-username %[var(req.auth_response_header.x_authentik_username)] if { var(txn.auth_response_successful) -m bool }"),
        new(CheckIds.ForwardAuthForgedIdentity,
            "Forged X-authentik-username/-groups from a signed-in client do not reach the app",
            "The outpost never removes a client's X-authentik-* headers; the proxy must replace every one the app reads. "
            + "nginx: proxy_set_header X-authentik-username $authentik_username; for each mapped header (replaces the client's); proxy_set_header X-authentik-jwt \"\"; for any not mapped | "
            + $"Caddy: request_header -X-Authentik-Username (and each of the other eleven) before forward_auth, or Caddy with PR #7545 (GHSA-7r4p-vjf4-gxv4); copy_headers {TwelveHeaders} | "
            + "Traefik: list all twelve in authResponseHeaders (Traefik removes listed headers from the request first) | "
            + "HAProxy: http-request del-header ^X-authentik- -m reg before the auth request, then set-header from req.auth_response_header.*"),
        new(CheckIds.ForwardAuthForgedIdentityPublic,
            "Forged X-authentik-username/-groups without a session do not reach the app's public (allowlisted) path",
            "On an allowlisted path (skip_path_regex) the outpost answers 200 with no identity headers: a proxy that copies only headers present in the answer passes the client's through. "
            + "nginx: proxy_set_header X-authentik-username $authentik_username; (an empty value removes the header) for every X-authentik-* header | "
            + "Caddy: request_header -X-Authentik-Username (and the other eleven) before forward_auth; Caddy 2.10 until PR #7545 keeps client values the answer lacks (GHSA-7r4p-vjf4-gxv4) | "
            + "Traefik: list all twelve in authResponseHeaders | "
            + "HAProxy: http-request del-header ^X-authentik- -m reg for every request"),
        new(CheckIds.ForwardAuthForwardedHost,
            "A client-sent X-Forwarded-Host changes neither the verdict nor where sign-in returns to",
            "The outpost believes X-Forwarded-Host (goauthentik/authentik internal/utils/web/host.go): it picks the application and, for Traefik and Caddy, the post-login target. "
            + "nginx: in location /outpost.goauthentik.io: proxy_set_header X-Forwarded-Host $http_host; | "
            + "Caddy: forward_auth ... { trusted_proxies <your own load balancers only> } (private_ranges trusts every LAN client) or header_up X-Forwarded-Host {host} | "
            + "Traefik: forwardAuth.trustForwardHeader: false on the edge (true only behind your own proxy, with entryPoints.forwardedHeaders.trustedIPs) | "
            + "HAProxy: http-request set-header X-Forwarded-Host %[req.hdr(host)] before the auth request"),
        new(CheckIds.ForwardAuthOriginalUri,
            "A client-sent X-Original-URI or X-Forwarded-Uri does not change the URL the outpost judges",
            "The nginx endpoint prefers X-Original-URI over X-Original-URL and answers 200 for any path under /outpost.goauthentik.io (mode_forward.go forwardHandleNginx); Traefik's and Caddy's read X-Forwarded-Uri. "
            + "nginx: in location /outpost.goauthentik.io: proxy_set_header X-Original-URI \"\"; (removes the client's) besides X-Original-URL | "
            + "Caddy: forward_auth sets X-Forwarded-Uri itself; add header_up -X-Original-URI and header_up -X-Original-URL | "
            + "Traefik: forwardAuth.trustForwardHeader: false; headers middleware customRequestHeaders: { X-Original-URI: \"\" } | "
            + "HAProxy: http-request del-header X-Original-URI; http-request del-header X-Forwarded-Uri before the auth request"),
        new(CheckIds.ForwardAuthWebSocket,
            "The app's WebSocket is refused without a session and works with one",
            "nginx: no separate WebSocket location without auth_request (goauthentik/authentik#3637, #10010); in location /: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; | "
            + "Caddy: keep the WebSocket path inside the route with forward_auth | "
            + "Traefik: the forwardAuth middleware on every router of the app, WebSocket paths included | "
            + "HAProxy: the auth-request rule applies to every request of the frontend, Upgrade included; timeout tunnel 1h"),
        new(CheckIds.ForwardAuthOutpostDown,
            "With the outpost unreachable the app is not served (fails closed)",
            "nginx: default (an auth_request error is a 500); no error_page 500 502 that serves the app | "
            + "Caddy: default (forward_auth answers 502) | "
            + "Traefik: default (forwardAuth answers 500 when the address is unreachable) | "
            + "HAProxy: deny or redirect unless { var(txn.auth_response_successful) -m bool }: without it an unreachable outpost lets the request through"),
    ];
}
