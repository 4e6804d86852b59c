using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Csrf;

/// <summary>
/// Django's CsrfViewMiddleware.process_view for an unsafe method, in its order: Origin, then
/// (HTTPS without Origin) Referer, then the token. The Origin must equal
/// <c>scheme://host</c> as authentik computed them from the forwarded headers, which is why a
/// proxy that loses X-Forwarded-Proto or the Host's port breaks every form post
/// (authentik issues #3094, #4209, #2060, #5916).
/// </summary>
internal static class DjangoCsrfCheck
{
    /// <summary>Returns null when the request passes, else Django's reason.</summary>
    public static string? Check(EffectiveRequest effective, IHeaderDictionary headers, IRequestCookieCollection cookies)
    {
        if (headers.TryGetValue(HeaderNames.Origin, out var origins))
        {
            var origin = origins.ToString();
            if (!string.Equals(origin, effective.Origin, StringComparison.Ordinal))
            {
                return CsrfReasons.BadOrigin(origin);
            }
        }
        else if (effective.IsSecure)
        {
            var refererFailure = CheckReferer(effective, headers);
            if (refererFailure is not null)
            {
                return refererFailure;
            }
        }

        return CheckToken(headers, cookies);
    }

    private static string? CheckReferer(EffectiveRequest effective, IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(HeaderNames.Referer, out var referers))
        {
            return CsrfReasons.NoReferer;
        }

        // urllib.parse.urlparse: scheme before "://", netloc up to the next "/", "?" or "#".
        var referer = referers.ToString();
        var separator = referer.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return CsrfReasons.MalformedReferer;
        }

        var scheme = referer[..separator].ToLowerInvariant();
        var rest = referer[(separator + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var netloc = end < 0 ? rest : rest[..end];
        if (netloc.Length == 0)
        {
            return CsrfReasons.MalformedReferer;
        }

        if (scheme != "https")
        {
            return CsrfReasons.InsecureReferer;
        }

        // is_same_domain(referer.netloc, request.get_host()): case-insensitive, port included.
        return string.Equals(netloc, effective.Host, StringComparison.OrdinalIgnoreCase)
            ? null
            : CsrfReasons.BadReferer(referer);
    }

    private static string? CheckToken(IHeaderDictionary headers, IRequestCookieCollection cookies)
    {
        if (!cookies.TryGetValue(CsrfNames.CookieName, out var secret) || string.IsNullOrEmpty(secret))
        {
            return CsrfReasons.NoCsrfCookie;
        }

        if (!headers.TryGetValue(CsrfNames.HeaderName, out var tokens))
        {
            return CsrfReasons.CsrfTokenMissing;
        }

        var token = tokens.ToString();
        if (token.Length != CsrfNames.SecretLength && token.Length != 2 * CsrfNames.SecretLength)
        {
            return CsrfReasons.BadToken("has incorrect length");
        }

        if (!token.All(char.IsAsciiLetterOrDigit))
        {
            return CsrfReasons.BadToken("has invalid characters");
        }

        // The emulator hands out unmasked secrets only, so the header must repeat the cookie.
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(token), System.Text.Encoding.ASCII.GetBytes(secret))
            ? null
            : CsrfReasons.BadToken("incorrect");
    }
}
