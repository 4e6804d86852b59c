using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portcullis.Emulator.AdminSystem;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Csrf;
using Portcullis.Emulator.Forwarding;
using Portcullis.Emulator.IndexPage;
using Portcullis.Emulator.Outpost;
using Portcullis.Emulator.ProtectedApp;
using Portcullis.Emulator.WebSockets;

namespace Portcullis.Emulator.Hosting;

/// <summary>Builds the Kestrel application: listeners, services, middleware, routes.</summary>
internal static class EmulatorApplication
{
    /// <summary>
    /// Open WebSockets get a 1012 on stop and this long to answer it before Kestrel drops them.
    /// </summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    public static WebApplication Build(EmulatorSettings settings, X509Certificate2 certificate, ReceivedCloseLog closeLog)
    {
        // The empty builder reads no appsettings.json, environment or command line: the
        // emulator is configured by EmulatorOptions alone, so a host process's own Kestrel
        // settings cannot add listeners, and no file watchers are spent per instance.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // authentik's Go front end accepts 1 MiB of request headers (net/http's default):
            // large session cookies and JWTs must reach it, so the emulator must not refuse them.
            kestrel.Limits.MaxRequestHeadersTotalSize = 1024 * 1024;
            kestrel.Limits.MaxRequestLineSize = 1024 * 1024;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 1024 * 1024;
            foreach (var endpoint in settings.HttpEndpoints)
            {
                // authentik's :9000 speaks HTTP/1.1 only; no h2c.
                kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
            }

            foreach (var endpoint in settings.HttpsEndpoints)
            {
                kestrel.Listen(endpoint, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                });
            }
        });

        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.TrustedProxies);
        builder.Services.AddSingleton(closeLog);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new ClientIpResolver(settings.TrustedProxies, settings.ClientIpMode));
        builder.Services.AddSingleton<EffectiveRequestResolver>();
        builder.Services.AddSingleton<SystemInfoEndpoint>();
        builder.Services.AddSingleton<CsrfEndpoint>();
        builder.Services.AddSingleton<WebSocketEndpoints>();
        builder.Services.AddSingleton<IndexPageEndpoint>();
        builder.Services.AddSingleton<OutpostProvider>();
        builder.Services.AddSingleton<OutpostSessionStore>();
        builder.Services.AddSingleton<AuthorizationCodeStore>();
        builder.Services.AddSingleton<AuthentikBrowserUrl>();
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddSingleton<OutpostEndpoints>();
        builder.Services.AddSingleton<SignInEndpoints>();
        builder.Services.AddSingleton<ProtectedAppEndpoints>();

        var app = builder.Build();
        app.UseRouting();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapEmulator();
        return app;
    }
}
