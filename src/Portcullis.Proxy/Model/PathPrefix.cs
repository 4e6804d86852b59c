namespace Portcullis.Proxy.Model;

/// <summary>A route's path prefix: matching on a segment boundary, and the optional strip.</summary>
public sealed class PathPrefix(string prefix, bool strip)
{
    private readonly string _bare = prefix.TrimEnd('/');

    public string Value { get; } = prefix;

    public bool Strip { get; } = strip && prefix.TrimEnd('/').Length > 0;

    /// <summary>
    /// "/authentik/" and "/authentik" both match "/authentik/x" and "/authentik", never
    /// "/authentikfoo".
    /// </summary>
    public bool Matches(string path) =>
        _bare.Length == 0 || (path.StartsWith(_bare, StringComparison.Ordinal) && (path.Length == _bare.Length || path[_bare.Length] == '/'));

    /// <summary>The path the upstream sees: unchanged, or without the prefix when strip is on.</summary>
    public string UpstreamPath(string path)
    {
        if (!Strip)
        {
            return path;
        }

        var rest = path[_bare.Length..];
        return rest.Length == 0 ? "/" : rest;
    }
}
