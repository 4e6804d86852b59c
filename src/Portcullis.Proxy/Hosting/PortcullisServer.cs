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
using Microsoft.Extensions.Options;
using Portcullis.Proxy.Admin;
using Portcullis.Proxy.Auth;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Hosting.ProxyProtocol;
using Portcullis.Proxy.Logging;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;
using Yarp.ReverseProxy.Forwarder;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Portcullis as a running server: Kestrel listeners, the TLS certificate selection, the request
/// handler, live reload and graceful shutdown, all assembled here in one visible place.
/// </summary>
public sealed class PortcullisServer : IAsyncDisposable
{
    // Kestrel's default; the tls-alpn-01 detector gives a ClientHello as long before the handshake.
    private static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly ConfigWatcher? _watcher;
    private readonly PosixSignalRegistration? _hangup;
    private readonly AccessLog _accessLog;

    private PortcullisServer(WebApplication app, RuntimeModelHolder models, ListenerAddresses addresses,
        ConfigWatcher? watcher, PosixSignalRegistration? hangup, AccessLog accessLog, ILogger logger)
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
        var connectionLimiter = new ClientConnectionLimiter(() => models, () => logger);
        AccessLog accessLog = null!;
        var edges = new EdgeConnections(() => models, () => accessLog);
        // Kestrel's rejections (400, 408, 414, 431, HTTP/2 resets) are known only from its log events.
        builder.Logging.AddProvider(new KestrelRejectionLog(edges));
        builder.Logging.AddFilter<KestrelRejectionLog>(KestrelRejectionLog.BadRequestsCategory, LogLevel.Debug);
        builder.Logging.AddFilter<KestrelRejectionLog>(KestrelRejectionLog.Http2Category, LogLevel.Debug);
        var proxyProtocol = config.Listen.ProxyProtocol ? new ProxyProtocolMiddleware(() => models, () => logger) : null;
        KestrelServerOptions kestrelOptions = null!;
        ListenOptions? adminListen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrelOptions = kestrel;
            ConfigureKestrel(kestrel, config, () => models, connectionLimiter, proxyProtocol, edges);
            adminListen = config.Admin is { } admin ? ListenAdmin(kestrel, admin) : null;
        });
        builder.Services.AddHttpForwarder();
        if (config.Admin is { } adminConfig)
        {
            AdminEndpoints.AddServices(builder.Services, adminConfig);
        }
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = config.Timeouts.ShutdownDrain + TimeSpan.FromSeconds(5));

        var app = builder.Build();
        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Portcullis");
        var initial = RuntimeModelBuilder.Build(config);
        foreach (var warning in initial.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        models = new RuntimeModelHolder(initial.Model, logger);
        accessLog = new AccessLog(config.Log, options.AccessLogOutput);
        edges.Stopping = app.Lifetime.ApplicationStopping;

        // Admin listener (Admin/): metrics and readiness, only when admin.listen is set.
        var forwarding = new ForwardingEvents();
        PortcullisMetrics? metrics = null;
        Readiness? readiness = null;
        if (config.Admin is not null)
        {
            metrics = new PortcullisMetrics(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), () => models.Current, forwarding);
            models.Swapped += metrics.Index;
            models.Reloaded += errors => metrics.ReloadEnded(errors.Count == 0);
            readiness = new Readiness(() => models.Current);
            AdminEndpoints.Map(app, readiness);
        }

        var handler = new ProxyRequestHandler(models, new ForwardAuthorizer(logger),
            new RequestForwarder(app.Services.GetRequiredService<IHttpForwarder>(), logger) { Events = forwarding },
            new WebSocketForwarder(webSockets, logger) { Events = forwarding }, addresses, accessLog) { Metrics = metrics };
        app.UseWebSockets();
        app.Run(handler.InvokeAsync);

        // What a reload changes beyond the model requests read: Kestrel's limits and timeouts for new
        // connections and requests, the access log, the shutdown drain. What cannot change without a
        // restart (the listeners) is named in the log by the holder.
        var hostOptions = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        models.Swapped += live =>
        {
            KestrelLimits.Apply(kestrelOptions.Limits, live.Config);
            accessLog.Reconfigure(live.Config.Log);
            hostOptions.ShutdownTimeout = live.Config.Timeouts.ShutdownDrain + TimeSpan.FromSeconds(5);
        };

        // SIGTERM: Kestrel stops accepting and waits for in-flight requests; WebSockets count as
        // in flight, so they get the drain period, then a 1001 close.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            readiness?.MarkStopping();
            var drain = models.Current.Config.Timeouts.ShutdownDrain;
            logger.LogInformation("shutting down: draining for up to {Drain}", ValueParsers.FormatDuration(drain));
            _ = Task.Delay(drain).ContinueWith(_ => webSockets.CloseAll(), TaskScheduler.Default);
        });

        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToArray();
        if (adminListen is not null)
        {
            // Bound like the others (port 0 resolved), but not a public listener.
            addresses.Admin = new Uri($"http://{adminListen.IPEndPoint}");
            bound = bound.Where(u => u.Port != addresses.Admin.Port || !u.Host.Equals(addresses.Admin.Host, StringComparison.OrdinalIgnoreCase)).ToArray();
            readiness!.MarkListening();
        }

        addresses.Http = bound.Where(u => u.Scheme == "http").ToArray();
        addresses.Https = bound.Where(u => u.Scheme == "https").ToArray();
        StartupSummary.Log(logger, config, addresses, models.Current);

        ConfigWatcher? watcher = null;
        PosixSignalRegistration? hangup = null;
        if (options.Reload is { } reload)
        {
            watcher = new ConfigWatcher(() => models.Current.Config.WatchedFiles, () => models.TryReload(reload, "a watched file changed"), options.PollInterval, logger);
            if (options.HandleSignals && !OperatingSystem.IsWindows())
            {
                hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    Task.Run(() => models.TryReload(reload, "SIGHUP"));
                });
            }
        }

        return new PortcullisServer(app, models, addresses, watcher, hangup, accessLog, logger);
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, ProxyConfig config, Func<RuntimeModelHolder> models, ClientConnectionLimiter connectionLimiter,
        ProxyProtocolMiddleware? proxyProtocol, EdgeConnections edges)
    {
        kestrel.AddServerHeader = false;
        KestrelLimits.Apply(kestrel.Limits, config);

        foreach (var endpoint in Usable(config.Listen.Http))
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                UseProxyProtocol(listen, proxyProtocol);
                listen.Use(connectionLimiter.Middleware);
                listen.Use(edges.Middleware);
            });
        }

        // SNI picks the site's certificate and TLS versions; an unknown name gets the first site's,
        // and its requests are answered 421.
        var selector = new SniCertificateSelector(name => models().Current.Sites.Find(name)?.Certificate, () => models().Current.DefaultSite?.Certificate);
        var tls = new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = TlsHandshakeTimeout,
            // A tls-alpn-01 validation (RFC 8737 §3) gets the challenge certificate for its SNI name
            // when one is pending; any other handshake, or one for a name with nothing pending, the site's.
            OnConnection = context => ValueTask.FromResult(
                (context.Connection.Features.Get<AcmeTlsAlpnFeature>() is not null ? models().TlsAlpn01Challenges.Find(context.ClientHelloInfo.ServerName) : null)
                ?? selector.Select(context.ClientHelloInfo.ServerName)),
        };
        var acmeTlsAlpn = new AcmeTlsAlpnDetector(models, TlsHandshakeTimeout);
        foreach (var endpoint in Usable(config.Listen.Https))
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Before UseHttps: a refused connection costs no handshake.
                UseProxyProtocol(listen, proxyProtocol);
                listen.Use(connectionLimiter.Middleware);
                listen.Use(acmeTlsAlpn.Middleware);
                listen.UseHttps(tls);
                listen.Use(next => connection =>
                {
                    if (connection.Features.Get<ISslStreamFeature>()?.SslStream is { } ssl)
                    {
                        // RFC 8737 §3: a validation ends with the handshake; nothing is read or sent on it.
                        if (ssl.NegotiatedApplicationProtocol == TlsAlpn01ChallengeResponder.AcmeTls1)
                        {
                            return Task.CompletedTask;
                        }

                        // Handshake done, no data read yet: idle connections give their TLS buffers back.
                        OpenSslBufferRelease.Apply(ssl);
                    }

                    return next(connection);
                });
                listen.Use(edges.Middleware);
            });
        }
    }

    // First on the listener: the limiter then counts the clients the header carries, not the
    // load balancer, and the TLS handshake reads the bytes after the header.
    private static void UseProxyProtocol(ListenOptions listen, ProxyProtocolMiddleware? proxyProtocol)
    {
        if (proxyProtocol is not null)
        {
            listen.Use(proxyProtocol.Middleware);
        }
    }

    // Plain HTTP/1.1 (what Prometheus and probes speak), no connection limiter, no TLS: a private
    // address for the operator's scraper. Its connections are marked so that only the admin
    // endpoints answer them (Admin/AdminEndpoints.cs).
    private static ListenOptions ListenAdmin(KestrelServerOptions kestrel, AdminConfig admin)
    {
        ListenOptions options = null!;
        kestrel.Listen(admin.Listen, listen =>
        {
            options = listen;
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(AdminConnectionFeature.Instance);
                return next(connection);
            });
        });
        return options;
    }

    // A machine without IPv6 cannot bind "[::]:443"; the default lists it, so skip it there.
    private static IEnumerable<IPEndPoint> Usable(IEnumerable<IPEndPoint> endpoints) =>
        endpoints.Where(e => e.AddressFamily != AddressFamily.InterNetworkV6 || Socket.OSSupportsIPv6);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        _hangup?.Dispose();
        Models.Dispose(); // Health probes (Health/): stop probing upstreams once nothing serves; ACME issuers stop too.
        await _app.StopAsync();
        await Models.AcmeStopped;
        await _app.DisposeAsync();
        await _accessLog.DisposeAsync();
    }
}
