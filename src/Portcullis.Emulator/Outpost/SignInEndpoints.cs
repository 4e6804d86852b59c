using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// authentik's side of the outpost's login, reduced to a form: <c>application/o/authorize/</c>
/// shows a sign-in page (a user name, no password: the emulator has no users), and posting it
/// completes the authorize step with a 302 to the registered redirect URI, code and state
/// attached. <c>end-session/</c> is where sign-out lands. Served on the emulator's own address,
/// as authentik's flows are served on authentik's host rather than the application's.
/// </summary>
internal sealed partial class SignInEndpoints
{
    /// <summary>The scopes the outpost asks for (openid, email, profile and the proxy scope).</summary>
    public const string Scope = "openid email profile ak_proxy";

    /// <summary>The form's id: what a checker looks for to sign in.</summary>
    public const string FormId = "portcullis-emulator-sign-in";

    private readonly OutpostProvider _provider;
    private readonly AuthorizationCodeStore _codes;

    public SignInEndpoints(OutpostProvider provider, AuthorizationCodeStore codes)
    {
        _provider = provider;
        _codes = codes;
    }

    public Task AuthorizeFormAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (Refusal(query["client_id"], query["redirect_uri"], query["response_type"]) is { } refusal)
        {
            return PageAsync(context, StatusCodes.Status400BadRequest, "Sign-in refused", $"<p>{Encode(refusal)}</p>");
        }

        var form = $"""
            <form id="{FormId}" method="post" action="">
              <input type="hidden" name="client_id" value="{Encode(query["client_id"])}">
              <input type="hidden" name="redirect_uri" value="{Encode(query["redirect_uri"])}">
              <input type="hidden" name="response_type" value="code">
              <input type="hidden" name="state" value="{Encode(query["state"])}">
              <label>User name <input name="username" autofocus required pattern="[A-Za-z0-9._@+\-]{"{"}1,150{"}"}"></label>
              <button type="submit">Sign in</button>
            </form>
            <p>Emulated authentik: any user name signs in, into the group "{AccessTokenIssuer.DefaultGroup}".</p>
            """;
        return PageAsync(context, StatusCodes.Status200OK, $"Sign in to {OutpostProvider.ApplicationSlug}", form);
    }

    public async Task AuthorizePostAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await PageAsync(context, StatusCodes.Status400BadRequest, "Sign-in refused", "<p>expected a form post</p>");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["username"].ToString();
        var refusal = Refusal(form["client_id"], form["redirect_uri"], form["response_type"])
            ?? (UserNamePattern().IsMatch(username) ? null : "the user name must be 1 to 150 of A-Z a-z 0-9 . _ @ + -");
        if (refusal is not null)
        {
            await PageAsync(context, StatusCodes.Status400BadRequest, "Sign-in refused", $"<p>{Encode(refusal)}</p>");
            return;
        }

        var code = _codes.Issue(username);
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = $"{_provider.RedirectUri}&code={code}&state={Uri.EscapeDataString(form["state"].ToString())}";
    }

    public static Task EndSessionAsync(HttpContext context) =>
        PageAsync(context, StatusCodes.Status200OK, "Signed out", "<p>You have been signed out of the emulated authentik.</p>");

    /// <summary>authentik matches the redirect URI strictly against the provider's registered ones.</summary>
    private string? Refusal(string? clientId, string? redirectUri, string? responseType) =>
        clientId != _provider.ClientId ? "unknown client_id"
        : redirectUri != _provider.RedirectUri ? $"redirect_uri does not match the provider's {_provider.RedirectUri}"
        : responseType != "code" ? "response_type must be code"
        : null;

    private static Task PageAsync(HttpContext context, int status, string title, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(
            $"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head>\n<body>\n<h1>{Encode(title)}</h1>\n{body}\n</body></html>\n",
            context.RequestAborted);
    }

    private static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    // Django's username validator characters, and nothing that could not be a header value.
    [GeneratedRegex("^[A-Za-z0-9._@+-]{1,150}$")]
    private static partial Regex UserNamePattern();
}
