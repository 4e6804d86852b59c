namespace Portcullis.Check.ForwardAuth;

/// <summary>
/// The cookies a browser would keep, per host (RFC 6265 section 5.3, host-only and without
/// path scoping: the probes stay on one application and one sign-in host). A Max-Age of zero
/// or less, or an empty value, deletes the cookie (section 5.2.2).
/// </summary>
internal sealed class CookieJar
{
    private readonly Dictionary<string, Dictionary<string, string>> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public void Store(Uri url, IEnumerable<string> setCookies)
    {
        foreach (var line in setCookies)
        {
            var parts = line.Split(';', StringSplitOptions.TrimEntries);
            var pair = parts[0].Split('=', 2);
            if (pair.Length != 2 || pair[0].Length == 0)
            {
                continue;
            }

            var cookies = Cookies(url);
            var expired = parts.Skip(1).Any(attribute =>
                attribute.StartsWith("Max-Age=", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(attribute["Max-Age=".Length..], out var maxAge) && maxAge <= 0);
            if (expired || pair[1].Length == 0)
            {
                cookies.Remove(pair[0]);
            }
            else
            {
                cookies[pair[0]] = pair[1];
            }
        }
    }

    /// <summary>The Cookie header for <paramref name="url"/>, or null when there is none.</summary>
    public string? Header(Uri url) =>
        _hosts.TryGetValue(url.Host, out var cookies) && cookies.Count > 0
            ? string.Join("; ", cookies.Select(pair => $"{pair.Key}={pair.Value}"))
            : null;

    /// <summary>The names of the cookies kept for <paramref name="url"/>'s host.</summary>
    public IReadOnlyList<string> Names(Uri url) => _hosts.TryGetValue(url.Host, out var cookies) ? cookies.Keys.ToList() : [];

    private Dictionary<string, string> Cookies(Uri url)
    {
        if (!_hosts.TryGetValue(url.Host, out var cookies))
        {
            _hosts[url.Host] = cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return cookies;
    }
}
