using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Tls;

namespace Portcullis.Testing;

/// <summary>
/// A real Kestrel upstream on 127.0.0.1:0 that answers every request with a JSON echo of what it
/// received (method, path, protocol, headers as they arrived, peer address and port, the
/// connection's id) and records it. /ws is a WebSocket echo that answers a close with the same
/// code, and closes with code N on "close:N". Tests add their own endpoints with <c>map</c>.
/// </summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(WebApplication app, Uri url, X509Certificate2? certificate)
    {
        _app = app;
        Url = url;
        Certificate = certificate;
    }

    public Uri Url { get; }

    public X509Certificate2? Certificate { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public ConcurrentQueue<WebSocketCloseStatus?> WebSocketCloses { get; } = new();

    private readonly TaskCompletionSource<WebSocketCloseStatus?> _firstWebSocketClose = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the close status of the first echo WebSocket that ends (null: it ended without a close frame).</summary>
    public Task<WebSocketCloseStatus?> FirstWebSocketClose => _firstWebSocketClose.Task;

    private void WebSocketEnded(WebSocketCloseStatus? status)
    {
        WebSocketCloses.Enqueue(status);
        _firstWebSocketClose.TrySetResult(status);
    }

    /// <summary>The WebSockets open now, with the request that opened them.</summary>
    public ConcurrentDictionary<HttpContext, WebSocket> OpenWebSockets { get; } = new();

    /// <summary>Distinct TCP connections seen, by Kestrel connection id.</summary>
    public ConcurrentDictionary<string, byte> Connections { get; } = new();

    public static async Task<TestUpstream> StartAsync(bool https = false, Action<WebApplication>? map = null, int port = 0, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (https)
        {
            certificate ??= SelfSignedCertificateStore.Create(["localhost", "127.0.0.1"], "portcullis test upstream");
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = 256 * 1024;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (https)
                {
                    listen.UseHttps(certificate!);
                }
            });
        });
        var app = builder.Build();
        TestUpstream? self = null;
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            self!.Connections.TryAdd(context.Connection.Id, 0);
            await next(context);
        });
        map?.Invoke(app);
        Route(app, "/ws", async context =>
        {
            self!.Requests.Enqueue(ReceivedRequest.From(context, 0));
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            var protocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault();
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
            self!.OpenWebSockets[context] = socket;
            try
            {
                await EchoAsync(socket, self!);
            }
            finally
            {
                self!.OpenWebSockets.TryRemove(context, out _);
            }
        });
        app.Run(async context =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var received = ReceivedRequest.From(context, body.Length);
            self!.Requests.Enqueue(received);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(received));
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new TestUpstream(app, new Uri($"{(https ? "https" : "http")}://127.0.0.1:{address.Port}"), certificate);
        return self;
    }

    /// <summary>Answers every path under <paramref name="path"/> with <paramref name="handler"/>.</summary>
    public static void Route(IApplicationBuilder app, string path, RequestDelegate handler) => app.Map(path, branch => branch.Run(handler));

    private static async Task EchoAsync(WebSocket socket, TestUpstream self)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    self.WebSocketEnded(socket.CloseStatus);
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                    return;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                if (result.MessageType == WebSocketMessageType.Text && text.StartsWith("close:", StringComparison.Ordinal))
                {
                    await socket.CloseAsync((WebSocketCloseStatus)int.Parse(text[6..]), "upstream closes", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            self.WebSocketEnded(null);
        }
    }

    /// <summary>
    /// What a restarting server does to its open WebSockets: closes each with <paramref name="status"/>
    /// (authentik sends 1012, issue #11090), or, when null, drops the connections without a close.
    /// </summary>
    public async Task EndWebSocketsAsync(WebSocketCloseStatus? status)
    {
        foreach (var (context, socket) in OpenWebSockets)
        {
            if (status is null)
            {
                context.Abort();
                continue;
            }

            try
            {
                await socket.CloseOutputAsync(status.Value, "restarting", CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
