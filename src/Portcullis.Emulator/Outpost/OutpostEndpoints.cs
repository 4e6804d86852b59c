using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.ProtectedApp;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The proxy outpost's endpoints under <c>/outpost.goauthentik.io/</c>, answering with the
/// status codes, bodies and headers of authentik's Go outpost
/// (goauthentik/authentik internal/outpost/proxyv2/, file names in each member).
/// With one provider, a request for any host is that provider's (handlers.go <c>Handle</c>:
/// a standalone outpost with exactly one provider serves unknown hosts with it), so the host
/// (X-Forwarded-Host, else Host) selects nothing here; it does go into Traefik's and Caddy's
/// forward URL, hence into the post-login target.
/// </summary>
internal sealed class OutpostEndpoints
{
    private readonly OutpostProvider _provider;
    private readonly OutpostSessionStore _sessions;
    private readonly AuthorizationCodeStore _codes;
    private readonly AccessTokenIssuer _tokens;
    private readonly AuthentikBrowserUrl _browser;
    private readonly string _outpostDownPath;

    public OutpostEndpoints(OutpostProvider provider, OutpostSessionStore sessions, AuthorizationCodeStore codes, AccessTokenIssuer tokens, AuthentikBrowserUrl browser, EmulatorSettings settings)
    {
        _provider = provider;
        _sessions = sessions;
        _codes = codes;
        _tokens = tokens;
        _browser = browser;
        _outpostDownPath = ProtectedAppPaths.OutpostDown(settings.WebPath);
    }

    /// <summary>204, empty, any host and method (handlers.go <c>HandlePing</c>).</summary>
    public static Task PingAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>mode_forward.go <c>forwardHandleNginx</c>: 200 with identity, 200 allowlisted, else 401.</summary>
    public Task NginxAsync(HttpContext context)
    {
        var fwd = ForwardUrl.FromNginx(context.Request);
        if (fwd is null)
        {
            return TextAsync(context, StatusCodes.Status500InternalServerError, "configuration error\n");
        }

        if (IsOutpostDown(context, fwd))
        {
            return Task.CompletedTask;
        }

        var session = LoadSession(context);
        if (session?.User is not null)
        {
            return AuthenticatedAsync(context, session);
        }

        if (_provider.IsAllowlisted(fwd.Path))
        {
            return OkAsync(context);
        }

        // The session's redirect key is written here (and read nowhere any more); saving it
        // is what sends a new visitor the cookie with the 401.
        if (session is null)
        {
            session = _sessions.Create();
            session.Redirect = fwd.Text;
            _sessions.WriteCookie(context.Response, session);
        }
        else if (session.Redirect is null)
        {
            session.Redirect = fwd.Text;
            _sessions.WriteCookie(context.Response, session);
        }

        if (fwd.Path.StartsWith(OutpostPaths.Prefix, StringComparison.Ordinal))
        {
            return OkAsync(context);
        }

        return TextAsync(context, StatusCodes.Status401Unauthorized, "unauthorized request\n");
    }

    /// <summary>
    /// mode_forward.go <c>forwardHandleTraefik</c> and <c>forwardHandleCaddy</c> (the same):
    /// callback or sign-out by the forward URL's query, 200 with identity, 200 allowlisted, else
    /// a 302 straight to the authorize URL.
    /// </summary>
    public Task TraefikAsync(HttpContext context)
    {
        var fwd = ForwardUrl.FromTraefik(context.Request);
        if (fwd is null)
        {
            return TextAsync(context, StatusCodes.Status500InternalServerError, "configuration error\n");
        }

        if (IsOutpostDown(context, fwd))
        {
            return Task.CompletedTask;
        }

        var query = QueryHelpers.ParseQuery(fwd.Query);
        if (IsTrue(query, OutpostPaths.CallbackQuery))
        {
            return CallbackAsync(context, query);
        }

        if (IsTrue(query, OutpostPaths.LogoutQuery))
        {
            return SignOutAsync(context);
        }

        var session = LoadSession(context);
        if (session?.User is not null)
        {
            return AuthenticatedAsync(context, session);
        }

        return _provider.IsAllowlisted(fwd.Path) ? OkAsync(context) : StartAuthAsync(context, fwd.Text);
    }

    /// <summary><c>/start</c>: rd only when checkRedirectParam accepts it, else no target (oauth.go <c>handleAuthStart</c>).</summary>
    public Task StartAsync(HttpContext context) =>
        StartAuthAsync(context, _provider.CheckRedirectParam(context.Request.Query[OutpostPaths.RedirectQuery].ToString()) ?? "");

    /// <summary><c>/callback</c>, reached directly (nginx) or through the app middleware's query.</summary>
    public Task CallbackAsync(HttpContext context) => CallbackAsync(context, context.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value));

    /// <summary>
    /// application.go <c>handleSignOut</c>: with a session, every session of the same user goes
    /// and the browser is sent to authentik's end-session endpoint; without, to <c>/start</c>.
    /// </summary>
    public Task SignOutAsync(HttpContext context)
    {
        var session = LoadSession(context);
        if (session?.User is { } user)
        {
            _sessions.DeleteSubject(user.Uid);
            return RedirectAsync(context, $"{_browser.Base}application/o/{OutpostProvider.ApplicationSlug}/end-session/?id_token_hint={Uri.EscapeDataString(user.AccessToken)}");
        }

        return RedirectAsync(context, $"{_provider.ExternalHostBase}{OutpostPaths.Start}?{OutpostPaths.RedirectQuery}={Uri.EscapeDataString(_provider.ExternalHostBase + "/")}");
    }

    /// <summary>
    /// oauth_state.go <c>stateFromRequest</c> and oauth_callback.go: the state must verify, be
    /// ours and name this request's session, else 400 with an empty body; a failed code
    /// exchange sends the browser on without a login; success stores the claims, renews the
    /// cookie until the token's exp and redirects to the state's target (else external_host).
    /// </summary>
    private Task CallbackAsync(HttpContext context, IDictionary<string, StringValues> query)
    {
        var state = Hs256Jwt.Verify(Value(query, "state"), _provider.CookieSecret);
        var session = LoadSession(context);
        if (state is not { } claims
            || Claim(claims, "iss") != _provider.StateIssuer
            || session is null
            || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(Claim(claims, "sid") ?? ""), System.Text.Encoding.UTF8.GetBytes(session.Id)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        var target = Claim(claims, "redirect") is { Length: > 0 } redirect ? redirect : _provider.ExternalHostBase;
        if (_codes.Redeem(Value(query, "code")) is not { } username)
        {
            return RedirectAsync(context, target);
        }

        var user = _tokens.Issue(username);
        session.User = user;
        session.Expires = user.Expires;
        session.IssuedHeaders = IdentityHeaders.For(user, JwksUrl);
        _sessions.WriteCookie(context.Response, session);
        return RedirectAsync(context, target);
    }

    /// <summary>
    /// oauth.go <c>handleAuthStart</c> and oauth_state.go <c>createState</c>: a state JWT with
    /// iss, sid, a random state and the redirect, signed with the cookie secret; a new session is
    /// saved (Set-Cookie); 302 to the authorize URL.
    /// </summary>
    private Task StartAuthAsync(HttpContext context, string redirect)
    {
        var session = LoadSession(context);
        if (session is null)
        {
            session = _sessions.Create();
            _sessions.WriteCookie(context.Response, session);
        }

        var state = Hs256Jwt.Sign(_provider.CookieSecret, json =>
        {
            json.WriteString("iss", _provider.StateIssuer);
            json.WriteString("sid", session.Id);
            json.WriteString("state", RandomNumberGenerator.GetHexString(32, lowercase: true));
            json.WriteString("redirect", redirect);
        });
        // golang.org/x/oauth2 AuthCodeURL encodes its parameters sorted by key.
        var authorize = $"{_browser.Base}application/o/authorize/"
            + $"?client_id={Uri.EscapeDataString(_provider.ClientId)}"
            + $"&redirect_uri={Uri.EscapeDataString(_provider.RedirectUri)}"
            + "&response_type=code"
            + $"&scope={Uri.EscapeDataString(SignInEndpoints.Scope)}"
            + $"&state={Uri.EscapeDataString(state)}";
        return RedirectAsync(context, authorize);
    }

    /// <summary>The 200 with all twelve identity headers (Go-canonical names), User-Agent echoed, empty body (mode_common.go <c>addHeaders</c>).</summary>
    private static Task AuthenticatedAsync(HttpContext context, OutpostSession session)
    {
        foreach (var (name, value) in session.IssuedHeaders)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.Headers.UserAgent = context.Request.Headers.UserAgent;
        return OkAsync(context);
    }

    /// <summary>
    /// The emulator's stand-in for an outpost that is down: for a forward URL under the
    /// protected app's outpost-down path the connection is dropped without an answer, as when
    /// the outpost's process is gone.
    /// </summary>
    private bool IsOutpostDown(HttpContext context, ForwardUrl fwd)
    {
        if (!fwd.Path.StartsWith(_outpostDownPath, StringComparison.Ordinal))
        {
            return false;
        }

        context.Abort();
        return true;
    }

    private OutpostSession? LoadSession(HttpContext context)
    {
        var session = _sessions.Load(context.Request, out var presented);
        if (session is null && presented)
        {
            _sessions.WriteDeletionCookie(context.Response);
        }

        return session;
    }

    private string JwksUrl => $"{_browser.Base}application/o/{OutpostProvider.ApplicationSlug}/jwks/";

    private static Task OkAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static Task RedirectAsync(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    /// <summary>Go's http.Error: text/plain, nosniff, the message as the body.</summary>
    private static Task TextAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static bool IsTrue(IDictionary<string, StringValues> query, string key) => Value(query, key) == "true";

    private static string? Value(IDictionary<string, StringValues> query, string key) =>
        query.TryGetValue(key, out var values) && values.Count > 0 ? values[0] : null;

    private static string? Claim(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
