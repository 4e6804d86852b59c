using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portcullis.Emulator.AdminSystem;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Csrf;
using Portcullis.Emulator.Health;
using Portcullis.Emulator.IndexPage;
using Portcullis.Emulator.Outpost;
using Portcullis.Emulator.ProtectedApp;
using Portcullis.Emulator.WebSockets;

namespace Portcullis.Emulator.Hosting;

/// <summary>
/// The emulator's whole route table, in one place. Every route sits under the web path
/// (authentik's <c>AUTHENTIK_WEB__PATH</c>): a proxy must pass the prefix through, not strip it.
/// </summary>
internal static class EmulatorEndpoints
{
    public static void MapEmulator(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var web = services.GetRequiredService<EmulatorSettings>().WebPath;
        var system = services.GetRequiredService<SystemInfoEndpoint>();
        var csrf = services.GetRequiredService<CsrfEndpoint>();
        var webSockets = services.GetRequiredService<WebSocketEndpoints>();
        var index = services.GetRequiredService<IndexPageEndpoint>();
        var outpost = services.GetRequiredService<OutpostEndpoints>();
        var signIn = services.GetRequiredService<SignInEndpoints>();
        var app = services.GetRequiredService<ProtectedAppEndpoints>();

        if (web != "/")
        {
            // authentik answers "/" with a 302 to the web path.
            endpoints.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], context =>
            {
                context.Response.StatusCode = StatusCodes.Status302Found;
                context.Response.Headers.Location = web;
                return Task.CompletedTask;
            });
        }

        endpoints.MapMethods(web, [HttpMethods.Get, HttpMethods.Head], index.HandleAsync);
        endpoints.MapMethods($"{web}-/health/live/", [HttpMethods.Get, HttpMethods.Head], HealthEndpoints.LiveAsync);
        endpoints.MapMethods($"{web}-/health/ready/", [HttpMethods.Get, HttpMethods.Head], HealthEndpoints.ReadyAsync);
        endpoints.MapMethods($"{web}api/v3/admin/system/", [HttpMethods.Get, HttpMethods.Post], system.HandleAsync);
        endpoints.MapGet($"{web}api/v3/emulator/csrf/", csrf.GetAsync);
        endpoints.MapPost($"{web}api/v3/emulator/csrf/", csrf.PostAsync);

        // Any method: an HTTP/2 WebSocket arrives as CONNECT (RFC 8441), not GET.
        endpoints.Map($"{web}ws/client/", webSockets.ClientAsync);
        endpoints.Map($"{web}ws/outpost/{{pk:guid}}/", context =>
            webSockets.OutpostAsync(context, Guid.Parse((string)context.Request.RouteValues["pk"]!)));

        // The proxy outpost, at the root whatever the web path, as authentik mounts it. Exact
        // paths and any method, as gorilla mux registers them (application.go, mode_forward.go).
        endpoints.Map(OutpostPaths.Ping, OutpostEndpoints.PingAsync);
        endpoints.Map(OutpostPaths.AuthNginx, outpost.NginxAsync);
        endpoints.Map(OutpostPaths.AuthTraefik, outpost.TraefikAsync);
        endpoints.Map(OutpostPaths.AuthCaddy, outpost.TraefikAsync);
        endpoints.Map(OutpostPaths.Start, outpost.StartAsync);
        endpoints.Map(OutpostPaths.Callback, outpost.CallbackAsync);
        endpoints.Map(OutpostPaths.SignOut, outpost.SignOutAsync);

        // authentik's side of the login, on the emulator's own address.
        endpoints.MapGet($"{web}application/o/authorize/", signIn.AuthorizeFormAsync);
        endpoints.MapPost($"{web}application/o/authorize/", signIn.AuthorizePostAsync);
        endpoints.MapGet($"{web}application/o/{OutpostProvider.ApplicationSlug}/end-session/", SignInEndpoints.EndSessionAsync);

        // The application behind the proxy's forward auth.
        endpoints.Map(ProtectedAppPaths.WebSocket(web), app.WebSocketAsync);
        endpoints.Map(ProtectedAppPaths.Root(web) + "{**rest}", app.ReportAsync);
    }
}
