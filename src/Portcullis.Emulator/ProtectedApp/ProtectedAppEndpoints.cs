using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Hosting;
using Portcullis.Emulator.Outpost;
using Portcullis.Emulator.WebSockets;

namespace Portcullis.Emulator.ProtectedApp;

/// <summary>
/// The application behind forward auth: it reports the identity headers each request reached
/// it with, and which of them the outpost issued (it knows what it issued per session) and
/// which came from the client, who may have forged them. The app itself trusts whatever
/// arrives, as real applications behind authentik's proxy do: keeping forged headers out is
/// the reverse proxy's job (goauthentik/authentik internal/outpost/proxyv2 never strips them).
/// </summary>
internal sealed class ProtectedAppEndpoints
{
    private readonly OutpostSessionStore _sessions;
    private readonly EmulatorSettings _settings;
    private readonly ReceivedCloseLog _closeLog;
    private readonly IHostApplicationLifetime _lifetime;

    public ProtectedAppEndpoints(OutpostSessionStore sessions, EmulatorSettings settings, ReceivedCloseLog closeLog, IHostApplicationLifetime lifetime)
    {
        _sessions = sessions;
        _settings = settings;
        _closeLog = closeLog;
        _lifetime = lifetime;
    }

    public Task ReportAsync(HttpContext context) =>
        EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, Report(context), EmulatorJson.Context.ProtectedAppReport);

    /// <summary>The app's WebSocket: the first message (a HELLO) names the user the app sees, then every message is echoed.</summary>
    public async Task WebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a WebSocket upgrade\n", context.RequestAborted);
            return;
        }

        var report = Report(context);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var helloArgs = new Dictionary<string, string>
        {
            ["version"] = "portcullis-emulator",
            ["endpoint"] = "app",
            ["http_version"] = context.Request.Protocol,
            ["user"] = report.User ?? "",
            ["client_identity_headers"] = report.IdentityHeaders.Count(header => header.From == "client").ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var session = new WebSocketSession(socket, _settings.HelloInterval, helloArgs, _closeLog);
        await session.RunAsync(_lifetime.ApplicationStopping, context.RequestAborted);
    }

    private ProtectedAppReport Report(HttpContext context)
    {
        var session = _sessions.Load(context.Request, out _);
        var issued = session?.User is not null ? session.IssuedHeaders : [];
        var received = new List<ReceivedIdentityHeader>();
        foreach (var (name, values) in context.Request.Headers)
        {
            if (!IdentityHeaders.IsIdentityHeader(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                var fromOutpost = issued.Any(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase) && pair.Value == value);
                received.Add(new ReceivedIdentityHeader(name, value ?? "", fromOutpost ? "outpost" : "client"));
            }
        }

        var usernames = received.Where(header => string.Equals(header.Name, IdentityHeaders.Username, StringComparison.OrdinalIgnoreCase)).ToList();
        var user = usernames is [{ From: "outpost" } only] ? only.Value : null;
        var missing = issued
            .Where(pair => !received.Any(header => string.Equals(header.Name, pair.Key, StringComparison.OrdinalIgnoreCase)))
            .Select(pair => pair.Key)
            .ToList();
        return new ProtectedAppReport(OutpostProvider.ApplicationSlug, context.Request.Path + context.Request.QueryString, user, session?.User?.Username, received, missing);
    }
}
