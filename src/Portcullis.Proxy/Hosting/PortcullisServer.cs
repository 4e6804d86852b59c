using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Logging;
using Portcullis.Proxy.Tls;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Portcullis as a running server: Kestrel listeners, the TLS certificate selection, the request
/// handler, live reload and graceful shutdown, all assembled here in one visible place.
/// </summary>
public sealed class PortcullisServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConfigWatcher? _watcher;
    private readonly PosixSignalRegistration? _hangup;
    private readonly AccessLog? _accessLog;

    private PortcullisServer(WebApplication app, RuntimeModelHolder models, ListenerAddresses addresses,
        ConfigWatcher? watcher, PosixSignalRegistration? hangup, AccessLog? accessLog, ILogger logger)
    {
        _app = app;
        Models = models;
        Addresses = addresses;
        _watcher = watcher;
        _hangup = hangup;
        _accessLog = accessLog;
        Logger = logger;
    }

    public RuntimeModelHolder Models { get; }

    public ListenerAddresses Addresses { get; }

    public ILogger Logger { get; }

    /// <summary>Completes when the server has stopped (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public static async Task<PortcullisServer> StartAsync(ProxyConfig config, PortcullisServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PortcullisServerOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "portcullis", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (options.LoggerProvider is not null)
        {
            builder.Logging.AddProvider(options.LoggerProvider);
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
            });
        }

        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Portcullis logs each upstream failure itself, with the upstream and the fix.
        builder.Logging.AddFilter("Yarp", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // A failed start (port in use) is reported by the caller in one line, not as a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
        // With this category on at any level, ASP.NET Core starts an Activity and a logging scope for
        // every request, to log request start and end, which the access log does instead; without it
        // and without scopes no async-local state is set per connection or request (docs/benchmarks.md).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.Configure<LoggerFilterOptions>(filter => filter.CaptureScopes = false);

        // Kestrel reads the model when it starts, after the logger exists to report how it was built.
        RuntimeModelHolder models = null!;
        var addresses = new ListenerAddresses();
        var webSockets = new WebSocketShutdown();

        builder.WebHost.UseSockets(sockets =>
        {
            sockets.CreateBoundListenSocket = ListenSocketFactory.Create;
            // Request code continues on the I/O thread that read its bytes instead of a thread-pool
            // hop: the profile showed a fifth of the CPU in the scheduler (docs/benchmarks.md).
            // Safe here because nothing on the request path blocks; the executable also sets
            // DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for the runtime's half of it.
            sockets.UnsafePreferInlineScheduling = true;
        });
        ILogger logger = null!;
        AccessLog? accessLog = null;
        var connectionLimiter = new ClientConnectionLimiter(() => models, () => logger);
        var edges = new EdgeConnections(() => models, () => accessLog);
        // Kestrel's rejections (400, 408, 414, 431, HTTP/2 resets) are known only from its log events.
        builder.Logging.AddProvider(new KestrelRejectionLog(edges));
        builder.Logging.AddFilter<KestrelRejectionLog>(KestrelRejectionLog.BadRequestsCategory, LogLevel.Debug);
        builder.Logging.AddFilter<KestrelRejectionLog>(KestrelRejectionLog.Http2Category, LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, config, () => models, connectionLimiter, edges));
        builder.Services.AddHttpForwarder();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = config.Timeouts.ShutdownDrain + TimeSpan.FromSeconds(5));

        var app = builder.Build();
        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Portcullis");
        var initial = RuntimeModelBuilder.Build(config);
        foreach (var warning in initial.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        models = new RuntimeModelHolder(initial.Model, logger);
        accessLog = config.Log.Access == "off" ? null : new AccessLog(config.Log, options.AccessLogOutput);
        edges.Stopping = app.Lifetime.ApplicationStopping;
        var handler = new ProxyRequestHandler(models, app.Services.GetRequiredService<IHttpForwarder>(), new WebSocketForwarder(webSockets), addresses, accessLog, logger);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Run(handler.InvokeAsync);

        // SIGTERM: Kestrel stops accepting and waits for in-flight requests; WebSockets count as
        // in flight, so they get the drain period, then a 1001 close.
        var drain = config.Timeouts.ShutdownDrain;
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            logger.LogInformation("shutting down: draining for up to {Drain}", ValueParsers.FormatDuration(drain));
            _ = Task.Delay(drain).ContinueWith(_ => webSockets.CloseAll(), TaskScheduler.Default);
        });

        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToArray();
        addresses.Http = bound.Where(u => u.Scheme == "http").ToArray();
        addresses.Https = bound.Where(u => u.Scheme == "https").ToArray();
        StartupSummary.Log(logger, config, addresses);

        ConfigWatcher? watcher = null;
        PosixSignalRegistration? hangup = null;
        if (options.Reload is { } reload)
        {
            bool Reload() => models.TryReload(reload);
            watcher = new ConfigWatcher(() => models.Current.Config.WatchedFiles, Reload, options.PollInterval, logger);
            if (options.HandleSignals && !OperatingSystem.IsWindows())
            {
                hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    Task.Run(Reload);
                });
            }
        }

        return new PortcullisServer(app, models, addresses, watcher, hangup, accessLog, logger);
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, ProxyConfig config, Func<RuntimeModelHolder> models, ClientConnectionLimiter connectionLimiter, EdgeConnections edges)
    {
        var limits = kestrel.Limits;
        kestrel.AddServerHeader = false;
        // Kestrel's cap is the configured limit itself: it answers 431 as soon as that many header
        // bytes have arrived, whether or not the client sends more. A higher cap (this was twice the
        // limit) leaves a client that sent more than the limit, and waits, without an answer until
        // timeouts.client_header: curl 7.88 over TLS sends at most 128 KiB of a request's headers,
        // then waits. Kestrel's HTTP/1.x answer gets HSTS and its access-log line in EdgeConnections;
        // over HTTP/2 Kestrel itself allows twice the cap before it resets the connection, answering
        // 431 in between. RequestScreening still answers 431 with HSTS where its count (RFC 9112
        // lines) passes the limit first.
        var headerCap = (int)Math.Min(int.MaxValue / 2, config.Limits.MaxRequestHeadersBytes);
        limits.MaxRequestHeadersTotalSize = headerCap;
        limits.MaxRequestLineSize = (int)config.Limits.MaxRequestLineBytes;
        limits.MaxRequestBodySize = config.Limits.MaxRequestBodyBytes;
        limits.RequestHeadersTimeout = config.Timeouts.ClientHeader;
        limits.KeepAliveTimeout = config.Timeouts.KeepAlive;
        limits.MinRequestBodyDataRate = config.Limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(config.Limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        limits.Http2.MaxStreamsPerConnection = config.Limits.MaxStreamsPerConnection;
        // One HTTP/2 header field can hold a whole large cookie. Twice the cap, as Kestrel's HTTP/2
        // total allows: a field between the two gets a 431, not a COMPRESSION_ERROR for the connection.
        limits.Http2.MaxRequestHeaderFieldSize = headerCap * 2;

        foreach (var endpoint in Usable(config.Listen.Http))
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(connectionLimiter.Middleware);
                listen.Use(edges.Middleware);
            });
        }

        var tls = new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            OnConnection = context =>
            {
                // SNI picks the site's certificate and TLS versions; an unknown name gets the
                // first site's, and its requests are answered 421.
                var model = models().Current;
                var site = model.Sites.Find(context.ClientHelloInfo.ServerName) ?? model.DefaultSite!;
                return ValueTask.FromResult(site.TlsOptions);
            },
        };
        foreach (var endpoint in Usable(config.Listen.Https))
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Before UseHttps: a refused connection costs no handshake.
                listen.Use(connectionLimiter.Middleware);
                listen.UseHttps(tls);
                listen.Use(next => connection =>
                {
                    // Handshake done, no data read yet: idle connections give their TLS buffers back.
                    if (connection.Features.Get<ISslStreamFeature>()?.SslStream is { } ssl)
                    {
                        OpenSslBufferRelease.Apply(ssl);
                    }

                    return next(connection);
                });
                listen.Use(edges.Middleware);
            });
        }
    }

    // A machine without IPv6 cannot bind "[::]:443"; the default lists it, so skip it there.
    private static IEnumerable<IPEndPoint> Usable(IEnumerable<IPEndPoint> endpoints) =>
        endpoints.Where(e => e.AddressFamily != AddressFamily.InterNetworkV6 || Socket.OSSupportsIPv6);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        _hangup?.Dispose();
        Models.Dispose(); // Health probes (Health/): stop probing upstreams once nothing serves.
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_accessLog is not null)
        {
            await _accessLog.DisposeAsync();
        }
    }
}
