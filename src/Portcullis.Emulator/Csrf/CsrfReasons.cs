namespace Portcullis.Emulator.Csrf;

/// <summary>
/// Django's CsrfViewMiddleware rejection reasons, word for word (django/middleware/csrf.py),
/// so a user can paste the message from authentik's 403 and find it here.
/// </summary>
internal static class CsrfReasons
{
    public static string BadOrigin(string origin) => $"Origin checking failed - {origin} does not match any trusted origins.";

    public const string NoReferer = "Referer checking failed - no Referer.";

    public static string BadReferer(string referer) => $"Referer checking failed - {referer} does not match any trusted origins.";

    public const string MalformedReferer = "Referer checking failed - Referer is malformed.";

    public const string InsecureReferer = "Referer checking failed - Referer is insecure while host is secure.";

    public const string NoCsrfCookie = "CSRF cookie not set.";

    public const string CsrfTokenMissing = "CSRF token missing.";

    public static string BadToken(string reason) => $"CSRF token from the '{CsrfNames.HeaderNameInMessages}' HTTP header {reason}.";
}
