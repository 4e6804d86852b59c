using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;
using Portcullis.Emulator.Configuration;

namespace Portcullis.Emulator.WebSockets;

/// <summary>
/// authentik's <c>ws/client/</c> (the admin and user UI) and <c>ws/outpost/&lt;uuid&gt;/</c>
/// (outposts, with a bearer token). Both accept an HTTP/1.1 Upgrade and an HTTP/2 extended
/// CONNECT (RFC 8441): a proxy that drops Upgrade/Connection leaves the UI on
/// "Connection error, reconnecting…" (issues #4024, #15317, #5064, #3637).
/// </summary>
internal sealed class WebSocketEndpoints
{
    private readonly EmulatorSettings _settings;
    private readonly ReceivedCloseLog _closeLog;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly byte[] _expectedAuthorization;

    public WebSocketEndpoints(EmulatorSettings settings, ReceivedCloseLog closeLog, IHostApplicationLifetime lifetime)
    {
        _settings = settings;
        _closeLog = closeLog;
        _lifetime = lifetime;
        _expectedAuthorization = Encoding.UTF8.GetBytes($"Bearer {settings.OutpostToken}");
    }

    public Task ClientAsync(HttpContext context) => AcceptAsync(context, "client", outpost: null);

    public Task OutpostAsync(HttpContext context, Guid pk)
    {
        // The token is checked before the upgrade, so a proxy that drops Authorization on the
        // upgrade request shows up as a plain 401 rather than a socket that closes at once.
        var authorization = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
        if (!CryptographicOperations.FixedTimeEquals(authorization, _expectedAuthorization))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return context.Response.WriteAsync("outpost WebSocket needs Authorization: Bearer <token>\n", context.RequestAborted);
        }

        return AcceptAsync(context, "outpost", pk);
    }

    private async Task AcceptAsync(HttpContext context, string kind, Guid? outpost)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers[HeaderNames.Connection] = "close";
            await context.Response.WriteAsync(
                "expected a WebSocket upgrade: the proxy must forward Upgrade and Connection (HTTP/1.1) or extended CONNECT (HTTP/2)\n",
                context.RequestAborted);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var helloArgs = new Dictionary<string, string>
        {
            ["version"] = "portcullis-emulator",
            ["endpoint"] = kind,
            ["http_version"] = context.Request.Protocol,
        };
        if (outpost is { } pk)
        {
            helloArgs["outpost"] = pk.ToString();
        }

        var session = new WebSocketSession(socket, _settings.HelloInterval, helloArgs, _closeLog);
        await session.RunAsync(_lifetime.ApplicationStopping, context.RequestAborted);
    }
}
