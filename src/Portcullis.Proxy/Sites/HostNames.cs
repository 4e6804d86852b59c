namespace Portcullis.Proxy.Sites;

/// <summary>Host header handling shared by site lookup and redirects; no allocation per request.</summary>
public static class HostNames
{
    /// <summary>
    /// The host part of a Host header or authority: without port, brackets or trailing dot, in
    /// its original case (site lookup ignores case).
    /// </summary>
    public static ReadOnlySpan<char> HostPart(string? authority)
    {
        var name = authority.AsSpan();
        if (name.StartsWith('['))
        {
            var close = name.IndexOf(']');
            return close < 0 ? name : name[1..close];
        }

        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            name = name[..colon];
        }

        return name.EndsWith('.') ? name[..^1] : name;
    }
}
