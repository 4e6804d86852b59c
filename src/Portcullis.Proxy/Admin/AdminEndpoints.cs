using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Portcullis.Proxy.Admin;

/// <summary>
/// The admin listener's endpoints: /metrics (Prometheus' text format, by OpenTelemetry's exporter),
/// /healthz (live: the process serves) and /readyz (<see cref="Readiness"/>). They answer only on
/// connections the admin listener accepted (<see cref="AdminConnectionFeature"/>); the proxy's
/// listeners never serve them, and the admin listener never forwards.
/// </summary>
public static class AdminEndpoints
{
    /// <summary>The meters exported besides Portcullis's own: what the platform measures per connection or by sampling.</summary>
    private static readonly string[] PlatformMeters =
    [
        "Microsoft.AspNetCore.Server.Kestrel", // kestrel.active_connections, kestrel.upgraded_connections, TLS handshakes
        "System.Runtime",                      // dotnet.gc.*, dotnet.thread_pool.*, process CPU and memory
    ];

    /// <summary>
    /// The platform's per-request meters, exported only with admin.platform_request_metrics: with
    /// them, CPU per request rose about 8 % (Portcullis's own meter alone: within noise).
    /// </summary>
    private static readonly string[] PlatformRequestMeters =
    [
        "Microsoft.AspNetCore.Hosting",        // http.server.request.duration, http.server.active_requests
        "System.Net.Http",                     // http.client.*: the upstream connections and requests
    ];

    public static void AddServices(IServiceCollection services, Configuration.AdminConfig admin) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PortcullisMetrics.MeterName)
            .AddMeter(PlatformMeters)
            .AddMeter(admin.PlatformRequestMetrics ? PlatformRequestMeters : [])
            .AddPrometheusExporter(options =>
            {
                // Each scrape reads the current values: the default 300 ms cache would show a
                // scraper (and a test) numbers older than the request it just made.
                options.ScrapeResponseCacheDurationMilliseconds = 0;
            }));

    /// <summary>Branches the admin listener's requests off before anything of the proxy runs.</summary>
    public static void Map(IApplicationBuilder app, Readiness readiness) =>
        app.MapWhen(static context => context.Features.Get<AdminConnectionFeature>() is not null, admin =>
        {
            admin.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
            admin.Run(context => AnswerAsync(context, readiness));
        });

    private static Task AnswerAsync(HttpContext context, Readiness readiness)
    {
        var path = context.Request.Path;
        if (path == "/healthz")
        {
            return PlainAsync(context, StatusCodes.Status200OK, "ok");
        }

        if (path == "/readyz")
        {
            return readiness.NotReadyReason() is { } reason
                ? PlainAsync(context, StatusCodes.Status503ServiceUnavailable, "not ready: " + reason)
                : PlainAsync(context, StatusCodes.Status200OK, "ready");
        }

        return PlainAsync(context, StatusCodes.Status404NotFound, "The admin listener serves /metrics, /healthz and /readyz.");
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text + "\n");
    }
}
