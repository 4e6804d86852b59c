using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The URL the reverse proxy asks about, as the outpost reconstructs it from the auth request
/// (goauthentik/authentik internal/outpost/proxyv2/application/mode_common.go).
/// </summary>
/// <param name="Text">The URL as a string: the post-login target and the session's redirect.</param>
/// <param name="Path">The decoded path: what skip_path_regex is matched against.</param>
/// <param name="Query">The query without "?".</param>
internal sealed record ForwardUrl(string Text, string Path, string Query)
{
    /// <summary>
    /// nginx: <c>X-Original-URI</c> takes precedence and is taken as a path only (a "?" in it
    /// stays in the path); otherwise the absolute <c>X-Original-URL</c>; neither is a
    /// configuration error (<c>getNginxForwardUrl</c>).
    /// </summary>
    public static ForwardUrl? FromNginx(HttpRequest request)
    {
        var uri = request.Headers["X-Original-URI"].ToString();
        if (uri.Length > 0)
        {
            return new ForwardUrl(Uri.EscapeDataString(uri).Replace("%2F", "/", StringComparison.Ordinal), uri, "");
        }

        return FromAbsolute(request.Headers["X-Original-URL"].ToString());
    }

    /// <summary>
    /// Traefik and Caddy alike: X-Forwarded-Proto + "://" + X-Forwarded-Host + X-Forwarded-Uri.
    /// Without the scheme the parse fails (<c>getTraefikForwardUrl</c>).
    /// </summary>
    public static ForwardUrl? FromTraefik(HttpRequest request) =>
        FromAbsolute(request.Headers["X-Forwarded-Proto"].ToString() + "://" + request.Headers["X-Forwarded-Host"] + request.Headers["X-Forwarded-Uri"]);

    private static ForwardUrl? FromAbsolute(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        return new ForwardUrl(text, Uri.UnescapeDataString(uri.AbsolutePath), uri.Query.TrimStart('?'));
    }
}
