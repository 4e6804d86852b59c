using System.Net;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Forwarding;

/// <summary>
/// Where the emulator decides scheme, host and client IP. Forwarded headers count only when the
/// TCP peer is inside the trusted CIDRs; from 2026.8 authentik ignores X-Forwarded-Proto and
/// X-Forwarded-Host from anyone else and builds http:// URLs (issues #25559, #25607, #25675).
/// </summary>
internal sealed class EffectiveRequestResolver
{
    private readonly TrustedProxyNetworks _trusted;
    private readonly ClientIpResolver _clientIp;

    public EffectiveRequestResolver(TrustedProxyNetworks trusted, ClientIpResolver clientIp)
    {
        _trusted = trusted;
        _clientIp = clientIp;
    }

    public EffectiveRequest Resolve(HttpContext context)
    {
        var request = context.Request;
        var peer = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        var scheme = request.IsHttps ? "https" : "http";
        var host = request.Host.Value ?? "";
        if (!_trusted.Contains(peer))
        {
            return new EffectiveRequest(scheme, host, peer.ToString(), peer, PeerTrusted: false);
        }

        // Django (SECURE_PROXY_SSL_HEADER) reads the leftmost value and compares it with "https";
        // any other value means http, not "keep the connection's scheme".
        var proto = ForwardedAddress.SplitList(request.Headers[ForwardedHeaderNames.XForwardedProto]);
        if (proto.Count > 0)
        {
            scheme = string.Equals(proto[0], "https", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        }

        var forwardedHost = ForwardedAddress.SplitList(request.Headers[ForwardedHeaderNames.XForwardedHost]);
        if (forwardedHost.Count > 0)
        {
            host = forwardedHost[0];
        }

        return new EffectiveRequest(scheme, host, _clientIp.Resolve(request.Headers, peer), peer, PeerTrusted: true);
    }
}
