using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Sites;

/// <summary>
/// The one place a response's Strict-Transport-Security is decided, just before its headers are
/// sent, whoever wrote the response: the upstream, a WebSocket handshake or Portcullis itself.
/// Over HTTPS it is sent exactly once: the site's configured hsts when the key is set (on purpose,
/// it wins, and false means none); otherwise the upstream's own header when it sends one, so an
/// app's includeSubDomains and preload survive; otherwise Portcullis's default. Never over plain
/// HTTP (RFC 6797 §7.2), not even the upstream's.
/// </summary>
public static class StrictTransportSecurity
{
    /// <summary>Settles the header of every response to this request of <paramref name="site"/>.</summary>
    public static void ApplyWhenStarting(HttpContext context, Site site) =>
        context.Response.OnStarting(static state =>
        {
            var (context, site) = ((HttpContext, Site))state;
            Apply(context.Request.IsHttps, context.Response.Headers, site.Hsts, site.HstsOverridesUpstream);
            return Task.CompletedTask;
        }, (context, site));

    /// <param name="hsts">The site's value, null when off.</param>
    /// <param name="configured">True when the site's hsts key was set: its value (or none) replaces the upstream's.</param>
    public static void Apply(bool https, IHeaderDictionary headers, string? hsts, bool configured)
    {
        var upstream = headers[HeaderNames.StrictTransportSecurity];
        if (!https || (configured && hsts is null))
        {
            headers.Remove(HeaderNames.StrictTransportSecurity);
        }
        else if (configured || (upstream.Count == 0 && hsts is not null))
        {
            headers[HeaderNames.StrictTransportSecurity] = hsts;
        }
        else if (upstream.Count > 1)
        {
            // RFC 6797 §8.1: a browser heeds only the first; send just that one.
            headers[HeaderNames.StrictTransportSecurity] = upstream[0];
        }
    }
}
