using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// The forwarded-header policy, authentik's way (docs/security.md, "What is rejected, and by whom"): a request from an
/// untrusted peer loses every header that could name a client IP, scheme or host, in every
/// spelling, and gets exactly the values Portcullis saw on the connection. A trusted peer's
/// X-Forwarded-For is kept with the peer appended, and its X-Forwarded-Proto/-Host are kept.
/// </summary>
public static class ForwardedHeaders
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";

    /// <summary>
    /// True for a header a client could use to lie about where it is or who it is: X-Forwarded-*,
    /// Forwarded (RFC 7239), X-Real-IP and the other client-IP headers frameworks read, and
    /// X-authentik-* (identity headers in forward-auth set-ups) except X-authentik-CSRF, which
    /// authentik's own UI sends with every API call (authentik's CSRF_HEADER_NAME). Underscores count as dashes: nginx
    /// drops such names but Django's META folds them into the same key (HTTP_X_FORWARDED_FOR), and
    /// Traefik strips them for this reason.
    /// </summary>
    public static bool IsSpoofable(string name)
    {
        if (name.Length < 9)
        {
            return false;
        }

        Span<char> folded = stackalloc char[Math.Min(name.Length, 64)];
        var length = Math.Min(name.Length, folded.Length);
        for (var i = 0; i < length; i++)
        {
            var c = name[i];
            folded[i] = c == '_' ? '-' : char.ToLowerInvariant(c);
        }

        ReadOnlySpan<char> n = folded[..length];
        return n.StartsWith("x-forwarded-") || n.SequenceEqual("forwarded") || n.SequenceEqual("x-real-ip")
            || (n.StartsWith("x-authentik-") && !n.SequenceEqual("x-authentik-csrf")) || n.SequenceEqual("x-client-ip") || n.SequenceEqual("true-client-ip")
            || n.SequenceEqual("x-cluster-client-ip") || n.SequenceEqual("cf-connecting-ip") || n.SequenceEqual("x-original-forwarded-for")
            || n.SequenceEqual("x-original-url") || n.SequenceEqual("x-rewrite-url");
    }

    /// <summary>The forwarded headers a trusted peer's value is kept of (exact spelling only).</summary>
    public static bool IsKeptFromTrustedPeer(string name) =>
        name.Equals(XForwardedFor, StringComparison.OrdinalIgnoreCase)
        || name.Equals(XForwardedProto, StringComparison.OrdinalIgnoreCase)
        || name.Equals(XForwardedHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>The X-Forwarded-For, -Proto and -Host values the upstream receives.</summary>
    public static (string For, string Proto, string Host) Compute(HttpContext context, bool peerTrusted)
    {
        var request = context.Request;
        var peer = FormatAddress(context.Connection.RemoteIpAddress);
        if (!peerTrusted)
        {
            return (peer, request.Scheme, request.Host.Value ?? "");
        }

        // A trusted peer's list may arrive as several header lines; join them in order
        // (RFC 9110 §5.3) so the upstream reads one list, then append the peer.
        var incoming = request.Headers[XForwardedFor];
        var forwardedFor = incoming.Count == 0 ? peer : string.Join(", ", incoming.ToArray()) + ", " + peer;
        var proto = request.Headers[XForwardedProto] is { Count: > 0 } p ? p.ToString() : request.Scheme;
        var host = request.Headers[XForwardedHost] is { Count: > 0 } h ? h.ToString() : request.Host.Value ?? "";
        return (forwardedFor, proto, host);
    }

    /// <summary>
    /// The client IP as Portcullis decides it, for the access log: the peer, or behind trusted
    /// proxies the rightmost X-Forwarded-For entry that is not itself a trusted proxy.
    /// </summary>
    public static string ClientAddress(HttpContext context, TrustedNetworks trusted)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (!trusted.Contains(peer))
        {
            return FormatAddress(peer);
        }

        var entries = context.Request.Headers[XForwardedFor].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(entries[i], out var address) || !trusted.Contains(address))
            {
                return entries[i];
            }
        }

        return entries.Length > 0 ? entries[0] : FormatAddress(peer);
    }

    /// <summary>The client's address as it appears in X-Forwarded-For: IPv4 dotted, IPv6 bare.</summary>
    public static string FormatAddress(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
