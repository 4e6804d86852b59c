using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// What port 80 of a site is in production: a real Kestrel on 127.0.0.1:0 answering
/// /.well-known/acme-challenge/&lt;token&gt; from an <see cref="Http01ChallengeResponder"/>, the
/// way the proxy's request handler will. Records every challenge path pebble fetched.
/// </summary>
public sealed class ChallengeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ChallengeServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<(string Host, string Path, int Status)> Requests { get; } = new();

    public static async Task<ChallengeServer> StartAsync(Http01ChallengeResponder responder)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ChallengeServer? self = null;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (responder.TryGetKeyAuthorization(path, out var keyAuthorization))
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.WriteAsync(keyAuthorization);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            self!.Requests.Enqueue((context.Request.Host.Host, path, context.Response.StatusCode));
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new ChallengeServer(app, address.Port);
        return self;
    }

    /// <summary>Closes the port: pebble's next validation finds nothing listening, as with a closed firewall.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
