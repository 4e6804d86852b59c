using Microsoft.AspNetCore.Http;

namespace Portcullis.Proxy.Sites;

/// <summary>
/// The plain-HTTP answer: 301 to the same host and path on HTTPS. Unlike the guide's nginx
/// ("return 301 https://$host$request_uri"), a non-standard HTTPS port is kept.
/// </summary>
public static class HttpsRedirect
{
    public static string Location(HttpRequest request, int httpsPort)
    {
        var host = request.Host.Host;
        var authority = httpsPort == 443 ? host : $"{host}:{httpsPort}";
        return $"https://{authority}{request.PathBase}{request.Path}{request.QueryString}";
    }
}
