using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Portcullis.Check.Tests.Common;

/// <summary>
/// A small forward-auth proxy written for the tests (not Portcullis, which has no forward auth
/// yet), doing what Caddy's documented forward_auth does: /outpost.goauthentik.io/* straight to
/// the outpost; every other request first asks /outpost.goauthentik.io/auth/caddy with
/// X-Forwarded-Proto/-Host/-Uri/-Method and the browser's cookie; a 2xx lets it through to the
/// app with the twelve identity headers copied over the client's, anything else goes back to
/// the browser. <see cref="ForwardAuthFlaws"/> breaks it in the ways real configurations do.
/// </summary>
internal sealed class ForwardAuthFrontEnd : IAsyncDisposable
{
    private static readonly string[] IdentityHeaders =
    [
        "X-Authentik-Username", "X-Authentik-Groups", "X-Authentik-Entitlements", "X-Authentik-Email", "X-Authentik-Name",
        "X-Authentik-Uid", "X-Authentik-Jwt", "X-Authentik-Meta-Jwks", "X-Authentik-Meta-Outpost", "X-Authentik-Meta-Provider",
        "X-Authentik-Meta-App", "X-Authentik-Meta-Version",
    ];

    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _forwarding;
    private readonly HttpClient _auth;

    private ForwardAuthFrontEnd(WebApplication app, HttpMessageInvoker forwarding, HttpClient auth, Uri httpsUrl)
    {
        _app = app;
        _forwarding = forwarding;
        _auth = auth;
        HttpsUrl = httpsUrl;
    }

    /// <summary>Where browsers open the app: https://localhost:PORT/.</summary>
    public Uri HttpsUrl { get; }

    /// <summary>The emulator behind, as outpost and app; set before the first request.</summary>
    public Uri? Upstream { get; set; }

    public static async Task<ForwardAuthFrontEnd> StartAsync(TestCertificates certificates, ForwardAuthFlaws flaws)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificates.Server);
        }));
        builder.Services.AddHttpForwarder();
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false };
        var forwarding = new HttpMessageInvoker(handler, disposeHandler: false);
        var auth = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
        var app = builder.Build();
        ForwardAuthFrontEnd? self = null;
        app.Map("/{**path}", (HttpContext context, IHttpForwarder forwarder) => self!.HandleAsync(context, forwarder, flaws));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        self = new ForwardAuthFrontEnd(app, forwarding, auth, new UriBuilder(address) { Host = "localhost" }.Uri);
        return self;
    }

    private async Task HandleAsync(HttpContext context, IHttpForwarder forwarder, ForwardAuthFlaws flaws)
    {
        var upstream = Upstream!.GetLeftPart(UriPartial.Authority) + "/";
        var request = context.Request;
        if (request.Path.StartsWithSegments("/outpost.goauthentik.io"))
        {
            await forwarder.SendAsync(context, upstream, _forwarding, ForwarderRequestConfig.Empty, new IdentityTransformer([], flaws));
            return;
        }

        // The header itself: IsWebSocketRequest needs the WebSockets middleware, which a forwarder does not use.
        var websocket = string.Equals(request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase);
        if (flaws.NoAuth || (websocket && flaws.UnprotectedWebSocket))
        {
            await forwarder.SendAsync(context, upstream, _forwarding, ForwarderRequestConfig.Empty, new IdentityTransformer([], flaws));
            return;
        }

        using var check = new HttpRequestMessage(HttpMethod.Get, upstream + "outpost.goauthentik.io/auth/caddy");
        var host = flaws.TrustClientForwardedHeaders && request.Headers["X-Forwarded-Host"].Count > 0 ? request.Headers["X-Forwarded-Host"].ToString() : request.Host.Value;
        var uri = flaws.TrustClientForwardedHeaders && request.Headers["X-Forwarded-Uri"].Count > 0 ? request.Headers["X-Forwarded-Uri"].ToString() : request.Path + request.QueryString;
        check.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        check.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        check.Headers.TryAddWithoutValidation("X-Forwarded-Uri", uri);
        check.Headers.TryAddWithoutValidation("X-Forwarded-Method", request.Method);
        check.Headers.TryAddWithoutValidation("Cookie", request.Headers.Cookie.ToString());
        check.Headers.TryAddWithoutValidation("User-Agent", request.Headers.UserAgent.ToString());

        HttpResponseMessage answer;
        try
        {
            answer = await _auth.SendAsync(check, context.RequestAborted);
        }
        catch (HttpRequestException) when (flaws.FailOpen)
        {
            await forwarder.SendAsync(context, upstream, _forwarding, ForwarderRequestConfig.Empty, new IdentityTransformer([], flaws));
            return;
        }
        catch (HttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        using (answer)
        {
            if (answer.IsSuccessStatusCode)
            {
                var identity = IdentityHeaders
                    .Where(name => answer.Headers.Contains(name))
                    .Select(name => KeyValuePair.Create(name, string.Join(", ", answer.Headers.GetValues(name))))
                    .ToList();
                await forwarder.SendAsync(context, upstream, _forwarding, ForwarderRequestConfig.Empty, new IdentityTransformer(identity, flaws));
                return;
            }

            if (flaws.UnauthorizedInsteadOfRedirect)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            context.Response.StatusCode = (int)answer.StatusCode;
            if (answer.Headers.Location is { } location)
            {
                context.Response.Headers.Location = location.OriginalString;
            }

            if (!flaws.DropAuthSetCookie && answer.Headers.TryGetValues("Set-Cookie", out var cookies))
            {
                context.Response.Headers.SetCookie = cookies.ToArray();
            }

            await context.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync(context.RequestAborted), context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _auth.Dispose();
        _forwarding.Dispose();
    }

    /// <summary>Copies the request to the app with the outpost's identity headers over (or, flawed, beside) the client's.</summary>
    private sealed class IdentityTransformer(IReadOnlyList<KeyValuePair<string, string>> identity, ForwardAuthFlaws flaws) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            if (!flaws.KeepClientIdentityHeaders)
            {
                foreach (var name in proxyRequest.Headers.Select(header => header.Key).Where(name => name.StartsWith("X-authentik-", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    proxyRequest.Headers.Remove(name);
                }
            }

            foreach (var (name, value) in identity)
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }
}
