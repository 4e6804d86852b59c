namespace Portcullis.Emulator.Csrf;

/// <summary>authentik's Django CSRF settings (authentik/root/settings.py).</summary>
internal static class CsrfNames
{
    /// <summary><c>CSRF_COOKIE_NAME</c>.</summary>
    public const string CookieName = "authentik_csrf";

    /// <summary><c>CSRF_HEADER_NAME = "HTTP_X_AUTHENTIK_CSRF"</c>, as the header is sent.</summary>
    public const string HeaderName = "X-authentik-CSRF";

    /// <summary>How Django names that header in its messages: <c>HttpHeaders.parse_header_name</c> title-cases it.</summary>
    public const string HeaderNameInMessages = "X-Authentik-Csrf";

    /// <summary>Django's <c>CSRF_SECRET_LENGTH</c>; a masked token is twice as long.</summary>
    public const int SecretLength = 32;
}
