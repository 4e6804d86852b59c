using System.Net;

namespace Portcullis.Emulator.Forwarding;

/// <summary>
/// One address as proxies write it into X-Forwarded-For, X-Real-IP or <c>Forwarded: for=</c>.
/// Some load balancers append the client's port (<c>203.0.113.9:51234</c>, <c>[2001:db8::1]:443</c>;
/// Azure, authentik issue #25679), and RFC 7239 section 6 quotes IPv6 as <c>"[v6]"</c>.
/// </summary>
internal static class ForwardedAddress
{
    /// <summary>Parses an entry into an address, dropping quotes, brackets and a port.</summary>
    public static bool TryParse(string entry, out IPAddress address)
    {
        address = IPAddress.None;
        var text = entry.Trim().Trim('"');
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            var rest = text[(close + 1)..];
            if (rest.Length > 0 && !IsPortSuffix(rest))
            {
                return false;
            }

            text = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            // Exactly one colon: IPv4 with a port. A bare IPv6 address has at least two.
            var colon = text.IndexOf(':');
            if (!IsPortSuffix(text[colon..]))
            {
                return false;
            }

            text = text[..colon];
        }

        if (text.Contains('%') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    /// <summary>Splits a header's values (several lines count as one comma-separated list, RFC 9110 section 5.3) into trimmed entries.</summary>
    public static IReadOnlyList<string> SplitList(IEnumerable<string?> values)
    {
        var entries = new List<string>();
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(','))
            {
                var trimmed = part.Trim();
                if (trimmed.Length > 0)
                {
                    entries.Add(trimmed);
                }
            }
        }

        return entries;
    }

    private static bool IsPortSuffix(string suffix) =>
        suffix.Length > 1 && suffix[0] == ':' && ushort.TryParse(suffix.AsSpan(1), out _);
}
