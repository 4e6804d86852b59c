using Microsoft.AspNetCore.Http;

namespace Portcullis.Proxy.Sites;

/// <summary>Host header handling shared by site lookup and redirects.</summary>
public static class HostNames
{
    /// <summary>The host part of a Host header, lower-case, without port or trailing dot.</summary>
    public static string Normalize(HostString host)
    {
        var name = host.Host;
        if (name.Length == 0)
        {
            return "";
        }

        if (name[^1] == '.')
        {
            name = name[..^1];
        }

        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        return name.ToLowerInvariant();
    }
}
