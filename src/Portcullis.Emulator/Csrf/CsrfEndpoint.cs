using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Portcullis.Emulator.Forwarding;
using Portcullis.Emulator.Hosting;

namespace Portcullis.Emulator.Csrf;

/// <summary>
/// <c>api/v3/emulator/csrf/</c>: GET hands out a token in the <c>authentik_csrf</c> cookie and
/// the body; POST runs Django's check. Failures answer like Django REST framework's
/// SessionAuthentication: 403 <c>{"detail": "CSRF Failed: &lt;reason&gt;"}</c>.
/// </summary>
internal sealed class CsrfEndpoint
{
    private readonly EffectiveRequestResolver _resolver;

    public CsrfEndpoint(EffectiveRequestResolver resolver) => _resolver = resolver;

    public Task GetAsync(HttpContext context)
    {
        var token = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", CsrfNames.SecretLength);
        // Django's defaults that authentik keeps: path "/", SameSite Lax, readable by the UI's JS.
        context.Response.Cookies.Append(CsrfNames.CookieName, token, new CookieOptions
        {
            Path = "/",
            SameSite = SameSiteMode.Lax,
            HttpOnly = false,
            MaxAge = TimeSpan.FromDays(365),
        });
        return EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, new CsrfToken(token), EmulatorJson.Context.CsrfToken);
    }

    public Task PostAsync(HttpContext context)
    {
        var effective = _resolver.Resolve(context);
        var failure = DjangoCsrfCheck.Check(effective, context.Request.Headers, context.Request.Cookies);
        if (failure is not null)
        {
            return EmulatorJson.WriteAsync(context, StatusCodes.Status403Forbidden, new CsrfFailure($"CSRF Failed: {failure}"), EmulatorJson.Context.CsrfFailure);
        }

        var origin = context.Request.Headers.Origin.ToString();
        return EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, new CsrfSuccess(true, origin.Length == 0 ? null : origin, effective.Origin), EmulatorJson.Context.CsrfSuccess);
    }

    internal sealed record CsrfToken(string Token);

    internal sealed record CsrfFailure(string Detail);

    internal sealed record CsrfSuccess(bool Ok, string? Origin, string Computed);
}
