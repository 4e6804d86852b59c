using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Portcullis.Proxy.Sites;

/// <summary>
/// Portcullis's own short answers: errors, redirects. Plain text, never cached. Their
/// Strict-Transport-Security is settled with every other response's (<see cref="StrictTransportSecurity"/>).
/// </summary>
public static class ProxyResponses
{
    /// <param name="close">Close an HTTP/1.x connection after this answer: the request's framing is
    /// not trusted, so nothing after it on the connection is read as another request.</param>
    public static Task WriteAsync(HttpContext context, int status, string message, bool close = false)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        response.StatusCode = status;
        response.Headers[HeaderNames.CacheControl] = "no-store";
        if (close && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            response.Headers[HeaderNames.Connection] = "close";
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes($"{status} {ReasonPhrases.GetReasonPhrase(status)}\n{message}\n");
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    public static void Redirect(HttpContext context, string location)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status301MovedPermanently;
        response.Headers[HeaderNames.Location] = location;
        response.ContentLength = 0;
    }
}
