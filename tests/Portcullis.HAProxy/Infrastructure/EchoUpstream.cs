using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portcullis.HAProxy.Infrastructure;

/// <summary>A plain-HTTP Kestrel upstream on 127.0.0.1:0 that records the X-Forwarded-For of every request.</summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoUpstream(WebApplication app, Uri url, ConcurrentQueue<(string Path, string ForwardedFor)> requests)
    {
        _app = app;
        Url = url;
        Requests = requests;
    }

    public Uri Url { get; }

    /// <summary>Path and X-Forwarded-For of each request, in arrival order.</summary>
    public ConcurrentQueue<(string Path, string ForwardedFor)> Requests { get; }

    public static async Task<EchoUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string Path, string ForwardedFor)>();
        app.Run(context =>
        {
            var forwardedFor = context.Request.Headers["X-Forwarded-For"].ToString();
            requests.Enqueue((context.Request.Path.Value ?? "", forwardedFor));
            return context.Response.WriteAsync(forwardedFor);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new EchoUpstream(app, new Uri($"http://127.0.0.1:{address.Port}"), requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
