using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Auth;

/// <summary>
/// Forward auth against authentik's proxy outpost, the way its nginx endpoint expects
/// (docs/authentik.md, "Forward auth"), without the holes of hand-written proxy configs:
/// <list type="bullet">
/// <item>The check carries only what the outpost reads: the client's cookies and Authorization,
/// the original URL Portcullis saw (X-Original-URL), X-Forwarded-Host from the client's Host (the
/// outpost picks the application by it and trusts it as sent), and the forwarded headers Portcullis
/// decided. Nothing else the client sent reaches the outpost, so no X-Original-URI or
/// X-Forwarded-Host of the client's can make it judge another application or URL. No body.</item>
/// <item>On 2xx the outpost's X-authentik-* headers (and Authorization when it sends one) are set
/// on the request to the app; every client-sent header of those names is already left behind in
/// every spelling (<see cref="ForwardedHeaders.IsSpoofable"/>), also when the outpost's answer
/// lacks it. The outpost's Set-Cookie reaches the client on the app's response.</item>
/// <item>401 becomes a redirect to the outpost's sign-in on the same host for a browser
/// navigation; any other refusal is passed on as is; an outpost that cannot be reached, times
/// out or fails (5xx) fails closed: the app is never contacted.</item>
/// </list>
/// </summary>
public sealed class ForwardAuthorizer(ILogger logger)
{
    private const string IdentityPrefix = "X-authentik-";
    private const int MaxRefusalBody = 64 * 1024;

    // Headers of a refusal that belong to the outpost's connection, not to the client's answer.
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TransferEncoding, HeaderNames.Upgrade,
        HeaderNames.ProxyAuthenticate, HeaderNames.Trailer, HeaderNames.TE, HeaderNames.StrictTransportSecurity,
    };

    public async Task<ForwardAuthDecision> AuthorizeAsync(HttpContext context, Outpost outpost, OutboundRequest outbound)
    {
        var request = context.Request;
        var original = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString);
        using var check = CreateCheck(request, outpost, outbound, original);
        HttpResponseMessage answer;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            timeout.CancelAfter(outpost.Timeout);
            try
            {
                answer = await outpost.Client.Invoker.SendAsync(check, timeout.Token);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return new(false, null); // The client left.
            }
            catch (OperationCanceledException)
            {
                await FailClosedAsync(context, outpost, StatusCodes.Status503ServiceUnavailable, "it did not answer within forward_auth.timeout");
                return new(false, null);
            }
            catch (HttpRequestException ex)
            {
                var reason = outpost.Client.CertificatePolicy.RejectionBehind(ex, outpost.AuthUrl.IdnHost) ?? ExceptionChain.InnermostMessage(ex);
                await FailClosedAsync(context, outpost, StatusCodes.Status502BadGateway, reason);
                return new(false, null);
            }
        }

        using (answer)
        {
            var status = (int)answer.StatusCode;
            if (status is >= 200 and < 300)
            {
                string? user = null;
                foreach (var (name, values) in answer.Headers)
                {
                    if (name.StartsWith(IdentityPrefix, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase))
                    {
                        var value = string.Join(", ", values);
                        outbound.Set(name, value);
                        if (name.Equals(IdentityPrefix + "username", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                        {
                            user = value;
                        }
                    }
                }

                PassCookiesOnResponse(context, answer);
                return new(true, user);
            }

            if (status >= 500)
            {
                await FailClosedAsync(context, outpost, StatusCodes.Status502BadGateway, $"it answered {status}");
                return new(false, null);
            }

            await RefuseAsync(context, answer, original);
            return new(false, null);
        }
    }

    private static HttpRequestMessage CreateCheck(HttpRequest request, Outpost outpost, OutboundRequest outbound, string original)
    {
        var check = new HttpRequestMessage(HttpMethod.Get, outpost.AuthUrl)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var headers = check.Headers;
        headers.TryAddWithoutValidation("X-Original-URL", original);
        foreach (var (name, value) in outbound.Headers)
        {
            if (name.Equals(ForwardedHeaders.XForwardedFor, StringComparison.OrdinalIgnoreCase) || name.Equals(ForwardedHeaders.XForwardedProto, StringComparison.OrdinalIgnoreCase))
            {
                headers.TryAddWithoutValidation(name, value);
            }
        }

        // The application is chosen by this header, port included, and trusted as sent.
        headers.TryAddWithoutValidation(ForwardedHeaders.XForwardedHost, request.Host.Value ?? "");
        if (request.Headers.Cookie.Count > 0)
        {
            // HTTP/2 clients send each cookie as its own field (RFC 9113 §8.2.3).
            headers.TryAddWithoutValidation(HeaderNames.Cookie, string.Join("; ", request.Headers.Cookie.ToArray()));
        }

        // The outpost also signs users in by Bearer token or Basic credentials.
        CopyIfPresent(request, headers, HeaderNames.Authorization);
        CopyIfPresent(request, headers, HeaderNames.UserAgent);
        return check;
    }

    private static void CopyIfPresent(HttpRequest request, System.Net.Http.Headers.HttpRequestHeaders headers, string name)
    {
        if (request.Headers[name] is { Count: > 0 } value)
        {
            headers.TryAddWithoutValidation(name, value.ToString());
        }
    }

    private async Task RefuseAsync(HttpContext context, HttpResponseMessage answer, string original)
    {
        var response = context.Response;
        response.Clear();
        AppendCookies(response, answer);
        if (answer.StatusCode == HttpStatusCode.Unauthorized && IsNavigation(context))
        {
            // The outpost's sign-in on the app's own host, so that its callback sets the cookie there.
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = Outpost.PathPrefix + "/start?rd=" + Uri.EscapeDataString(original);
            response.Headers.CacheControl = "no-store";
            response.ContentLength = 0;
            return;
        }

        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!HopHeaders.Contains(name) && !name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        var body = await ReadBoundedAsync(answer.Content, context.RequestAborted);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method) && body.Length > 0)
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private async Task FailClosedAsync(HttpContext context, Outpost outpost, int status, string reason)
    {
        var request = context.Request;
        logger.LogWarning("forward auth: outpost {Outpost} failed for {Method} {Host}{Path}: {Reason}; refused, the app was not contacted",
            outpost.BaseUrl, request.Method, request.Host.Value, request.Path.Value, reason);
        await ProxyResponses.WriteAsync(context, status, $"Sign-in could not be checked: the outpost {outpost.BaseUrl} failed: {reason}");
    }

    /// <summary>A top-level page load, which can follow a redirect to a sign-in page; an API call or a WebSocket cannot.</summary>
    private static bool IsNavigation(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers["Sec-Fetch-Mode"] is { Count: > 0 } mode)
        {
            return mode.ToString() == "navigate";
        }

        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !context.WebSockets.IsWebSocketRequest
            && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            && !request.Headers.ContainsKey("X-Requested-With");
    }

    private static void PassCookiesOnResponse(HttpContext context, HttpResponseMessage answer)
    {
        if (!answer.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies))
        {
            return;
        }

        // Added as the response starts, after the app's own headers are in place.
        var lines = cookies.ToArray();
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, lines);
            return Task.CompletedTask;
        });
    }

    private static void AppendCookies(HttpResponse response, HttpResponseMessage answer)
    {
        if (answer.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies))
        {
            response.Headers.Append(HeaderNames.SetCookie, cookies.ToArray());
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length < MaxRefusalBody && (read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, (int)Math.Min(read, MaxRefusalBody - buffer.Length));
        }

        return buffer.ToArray();
    }
}
