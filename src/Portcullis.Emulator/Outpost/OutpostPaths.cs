namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The outpost's routes and query keys, exact paths as gorilla mux registers them: a trailing
/// slash is a 404 (goauthentik/authentik internal/outpost/proxyv2/application/application.go
/// <c>NewApplication</c>, mode_forward.go <c>configureForward</c>).
/// </summary>
internal static class OutpostPaths
{
    public const string Prefix = "/outpost.goauthentik.io";
    public const string Ping = Prefix + "/ping";
    public const string Start = Prefix + "/start";
    public const string Callback = Prefix + "/callback";
    public const string SignOut = Prefix + "/sign_out";
    public const string AuthNginx = Prefix + "/auth/nginx";
    public const string AuthTraefik = Prefix + "/auth/traefik";
    public const string AuthCaddy = Prefix + "/auth/caddy";

    /// <summary>Query key that makes the app middleware (or a forward URL) run the callback.</summary>
    public const string CallbackQuery = "X-authentik-auth-callback";

    /// <summary>Query key that makes the app middleware (or a forward URL) sign out.</summary>
    public const string LogoutQuery = "X-authentik-logout";

    /// <summary>The query key <c>/start</c> reads the post-login target from.</summary>
    public const string RedirectQuery = "rd";
}
