using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Forwarding;

/// <summary>
/// Decides the client IP authentik would log, geo-locate and rate-limit for a request whose
/// TCP peer is a trusted proxy. Untrusted peers never get here: their own address is the answer.
/// </summary>
internal sealed partial class ClientIpResolver
{
    /// <summary>
    /// What Django's ClientIPMiddleware reports when the address it is handed does not parse
    /// (authentik/root/middleware.py, <c>default_ip</c>).
    /// </summary>
    public const string InvalidAddress = "255.255.255.255";

    private readonly TrustedProxyNetworks _trusted;
    private readonly ClientIpMode _mode;

    public ClientIpResolver(TrustedProxyNetworks trusted, ClientIpMode mode)
    {
        _trusted = trusted;
        _mode = mode;
    }

    public string Resolve(IHeaderDictionary headers, IPAddress peer) => _mode switch
    {
        ClientIpMode.RightmostUntrusted => ResolveRightmostUntrusted(headers, peer),
        _ => ResolveLeftmost(headers, peer),
    };

    /// <summary>
    /// authentik up to 2026.5. gorilla/handlers ProxyHeaders (internal/web) takes the first
    /// X-Forwarded-For entry, then X-Real-IP, then <c>Forwarded: for=</c>; Django's
    /// ClientIPMiddleware then takes <c>ip_address(xff.split(",")[0].strip())</c> and falls back
    /// to 255.255.255.255 when that is not a bare IP, so an <c>ip:port</c> entry is lost.
    /// </summary>
    private static string ResolveLeftmost(IHeaderDictionary headers, IPAddress peer)
    {
        string? candidate = null;
        var forwardedFor = ForwardedAddress.SplitList(headers[ForwardedHeaderNames.XForwardedFor]);
        if (forwardedFor.Count > 0)
        {
            candidate = forwardedFor[0];
        }
        else if (!string.IsNullOrWhiteSpace(headers[ForwardedHeaderNames.XRealIp]))
        {
            candidate = headers[ForwardedHeaderNames.XRealIp].ToString().Trim();
        }
        else if (TryGetForwardedFor(headers, out var forwarded))
        {
            candidate = forwarded;
        }

        if (candidate is null)
        {
            return peer.ToString();
        }

        return TryParseBareAddress(candidate, out var address) ? address.ToString() : InvalidAddress;
    }

    /// <summary>
    /// authentik from 2026.8.1 (Rust front end): walk X-Forwarded-For from the right and take the
    /// first entry outside the trusted CIDRs; when every entry is trusted, the leftmost. Ports
    /// are dropped (issue #25679). Without X-Forwarded-For the Leftmost fallbacks apply.
    /// </summary>
    private string ResolveRightmostUntrusted(IHeaderDictionary headers, IPAddress peer)
    {
        var entries = ForwardedAddress.SplitList(headers[ForwardedHeaderNames.XForwardedFor]);
        if (entries.Count == 0)
        {
            return ResolveFallback(headers, peer);
        }

        IPAddress? leftmost = null;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            // An entry that is not an address cannot be the client; report it the way authentik
            // reports an unusable address rather than guess past it.
            if (!ForwardedAddress.TryParse(entries[i], out var address))
            {
                return InvalidAddress;
            }

            if (!_trusted.Contains(address))
            {
                return address.ToString();
            }

            leftmost = address;
        }

        return leftmost!.ToString();
    }

    private static string ResolveFallback(IHeaderDictionary headers, IPAddress peer)
    {
        var realIp = headers[ForwardedHeaderNames.XRealIp].ToString();
        if (!string.IsNullOrWhiteSpace(realIp))
        {
            return ForwardedAddress.TryParse(realIp, out var address) ? address.ToString() : InvalidAddress;
        }

        if (TryGetForwardedFor(headers, out var forwarded))
        {
            return ForwardedAddress.TryParse(forwarded, out var address) ? address.ToString() : InvalidAddress;
        }

        return peer.ToString();
    }

    /// <summary>gorilla/handlers' <c>(?i)(?:for=)([^(;|,| )]+)</c>: the first <c>for=</c> of the whole header, quotes trimmed.</summary>
    private static bool TryGetForwardedFor(IHeaderDictionary headers, out string value)
    {
        value = "";
        var header = headers[ForwardedHeaderNames.Forwarded].ToString();
        var match = ForwardedForPattern().Match(header);
        if (!match.Success)
        {
            return false;
        }

        value = match.Groups[1].Value.Trim('"');
        return value.Length > 0;
    }

    /// <summary>Python's <c>ipaddress.ip_address</c>: a dotted quad or an IPv6 literal, nothing else.</summary>
    private static bool TryParseBareAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.IndexOfAny(['[', ']', '/', '%', ' ']) >= 0)
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        // IPAddress.TryParse accepts "1.2.3" and "1.2.3.4:80"-less shorthands Python rejects.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && (text.Count(c => c == '.') != 3 || text.Contains(':')))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    [GeneratedRegex("(?i)(?:for=)([^(;|,| )]+)")]
    private static partial Regex ForwardedForPattern();
}
