using System.Security.Cryptography;
using Portcullis.Check.Catalog;

namespace Portcullis.Check.Upstream;

/// <summary>
/// <c>large-cookie</c>: a 32 KiB Cookie header, as a browser builds from several 4 KiB cookies
/// (authentik's session plus an application's), reaches the upstream whole. nginx's default
/// 8 KiB header buffers and HAProxy's 16 KiB bufsize reject it.
/// </summary>
internal static class LargeCookieCheck
{
    public const int TotalBytes = 32 * 1024;
    private const int CookieCount = 8;

    public static IReadOnlyList<string> BuildCookies()
    {
        // name=value pairs joined by "; " add up to exactly TotalBytes.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var separators = (CookieCount - 1) * 2;
        var perCookie = (TotalBytes - separators) / CookieCount;
        var cookies = new List<string>();
        for (var i = 0; i < CookieCount; i++)
        {
            var name = $"portcullis_check_{i}=";
            var length = perCookie - name.Length + (i == 0 ? (TotalBytes - separators) % CookieCount : 0);
            cookies.Add(name + RandomNumberGenerator.GetString(Alphabet, length));
        }

        return cookies;
    }

    public static CheckResult Judge(IReadOnlyList<string> cookies, SystemViewFetch fetch)
    {
        if (fetch.Snapshot is not { } view)
        {
            return CheckCatalog.Fail(CheckIds.LargeCookie, $"with a {TotalBytes / 1024} KiB Cookie header the system view answered {fetch.Describe()}");
        }

        var seen = (view.Header("Cookie") ?? string.Empty)
            .Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
        var missing = cookies.Count(cookie => !seen.Contains(cookie));
        return missing == 0
            ? CheckCatalog.Pass(CheckIds.LargeCookie, $"{TotalBytes} bytes of cookies ({cookies.Count} cookies) reached the upstream whole")
            : CheckCatalog.Fail(CheckIds.LargeCookie, $"{missing} of {cookies.Count} cookies did not reach the upstream intact ({view.Header("Cookie")?.Length ?? 0} bytes of Cookie arrived)");
    }
}
