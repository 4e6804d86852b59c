using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Admin;

/// <summary>
/// Portcullis's own instruments, on the meter <see cref="MeterName"/>; exported on the admin
/// listener's /metrics with what ASP.NET Core, Kestrel, HttpClient and the runtime publish.
/// Labels are the site and route from the configuration (<see cref="RouteLabels"/>), a status
/// class, a protocol, an upstream URL or a reason: never a path or a client, so the number of
/// series stays bounded whatever clients send. Names as exported (Prometheus adds the unit and
/// _total): README "Metrics and health", deploy/grafana/portcullis.json.
/// </summary>
public sealed class PortcullisMetrics
{
    public const string MeterName = "Portcullis";

    // Prometheus' defaults stop at 10 s; a login behind authentik's flows or a slow upstream can
    // take longer, up to timeouts.upstream_response (100 s by default).
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 100];

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Func<RuntimeModel> _model;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _upstreamErrors;
    private readonly UpDownCounter<long> _webSockets;
    private readonly Counter<long> _reloads;

    // Keyed by cluster (one per route): forwarding reports by cluster, and an entry lives as long as
    // its route, so a WebSocket opened before a reload is counted down under the labels it went up with.
    private readonly ConditionalWeakTable<UpstreamCluster, RouteLabels> _labels = new();

    /// <param name="meterFactory">The application's: its meter is disposed with the server.</param>
    /// <param name="model">The model requests read now, for the gauges.</param>
    public PortcullisMetrics(IMeterFactory meterFactory, Func<RuntimeModel> model, ForwardingEvents forwarding)
    {
        _model = model;
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        _requests = meter.CreateCounter<long>("portcullis.requests", "{request}",
            "Requests answered, by site, route, status class (1xx..5xx) and client protocol.");
        _duration = meter.CreateHistogram<double>("portcullis.request.duration", "s",
            "Time from the request's arrival to the end of its response, WebSockets excepted.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _upstreamErrors = meter.CreateCounter<long>("portcullis.upstream.errors", "{error}",
            "Requests the upstream failed, by site, route and reason (connect, tls, timeout, other).");
        _webSockets = meter.CreateUpDownCounter<long>("portcullis.websockets.active", "{websocket}",
            "WebSockets open both ways (HTTP/1.1 Upgrade and HTTP/2 CONNECT), by site and route.");
        _reloads = meter.CreateCounter<long>("portcullis.config.reloads", "{reload}",
            "Configuration reloads by result: ok (the new configuration serves) or failed (the previous one keeps serving).");
        meter.CreateObservableGauge("portcullis.upstream.health", ObserveHealth, null,
            "1 while an upstream server is in rotation, 0 while a health check or a failed connection keeps it out; by site, route and upstream.");
        meter.CreateObservableGauge("portcullis.certificate.expiry_timestamp", ObserveCertificates, "s",
            "When each site's served certificate expires (its NotAfter), in seconds since the Unix epoch.");
        meter.CreateObservableGauge("portcullis.acme.failures", ObserveAcme, "{attempt}",
            "ACME attempts failed in a row, for each site whose certificate comes from ACME; 0 after a success. Above 0 the site serves its previous certificate, or its temporary self-signed one while it waits for the first.");
        forwarding.UpstreamFailed += OnUpstreamFailed;
        forwarding.WebSocketsChanged += OnWebSocketsChanged;
        Index(model());
    }

    /// <summary>Learns the labels of a model's routes; call for every model that serves (start, each reload).</summary>
    public void Index(RuntimeModel model)
    {
        foreach (var site in model.Sites.Sites)
        {
            foreach (var route in site.Routes)
            {
                _labels.AddOrUpdate(route.Cluster, new RouteLabels(site.Hosts[0], route.Prefix.Value));
            }
        }
    }

    /// <summary>Where a request ends (Hosting/ProxyRequestHandler.cs): counts it and its duration.</summary>
    /// <param name="started">Its <see cref="Stopwatch.GetTimestamp"/> on arrival.</param>
    /// <param name="site">The site the request matched, null for none.</param>
    /// <param name="route">Its route, null for none.</param>
    public void RequestEnded(HttpContext context, Site? site, Route? route, long started)
    {
        if (!_requests.Enabled)
        {
            return;
        }

        var request = context.Request;
        var siteLabel = site?.Hosts[0] ?? RouteLabels.None.Site;
        var routeLabel = route?.Prefix.Value ?? RouteLabels.None.Route;

        var status = context.Response.StatusCode / 100;
        // Status and protocol strings are constants (Kestrel's protocol strings are interned): a
        // TagList of four holds them inline, so recording allocates nothing.
        var tags = new TagList
        {
            { "site", siteLabel },
            { "route", routeLabel },
            { "status_class", status is >= 1 and <= 5 ? StatusClasses[status - 1] : "other" },
            { "protocol", request.Protocol },
        };
        _requests.Add(1, tags);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>After each reload attempt (Hosting/RuntimeModelHolder.cs's Reloaded).</summary>
    public void ReloadEnded(bool succeeded) => _reloads.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "ok" : "failed"));

    private RouteLabels LabelsOf(UpstreamCluster cluster) => _labels.TryGetValue(cluster, out var labels) ? labels : RouteLabels.None;

    private void OnUpstreamFailed(UpstreamCluster cluster, UpstreamErrorReason reason)
    {
        var labels = LabelsOf(cluster);
        _upstreamErrors.Add(1, new("site", labels.Site), new("route", labels.Route), new("reason", ReasonLabel(reason)));
    }

    private void OnWebSocketsChanged(UpstreamCluster cluster, int delta)
    {
        var labels = LabelsOf(cluster);
        _webSockets.Add(delta, new("site", labels.Site), new("route", labels.Route));
    }

    private static string ReasonLabel(UpstreamErrorReason reason) => reason switch
    {
        UpstreamErrorReason.Connect => "connect",
        UpstreamErrorReason.Tls => "tls",
        UpstreamErrorReason.Timeout => "timeout",
        _ => "other",
    };

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        var now = Environment.TickCount64;
        var measurements = new List<Measurement<int>>();
        foreach (var site in _model().Sites.Sites)
        {
            foreach (var route in site.Routes)
            {
                var cluster = route.Cluster;
                for (var i = 0; i < cluster.Destinations.Count; i++)
                {
                    measurements.Add(new Measurement<int>(cluster.Health(i).IsAvailable(now) ? 1 : 0,
                        new("site", site.Hosts[0]), new("route", route.Prefix.Value), new("upstream", cluster.Prefix(i))));
                }
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveCertificates()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var site in _model().Sites.Sites)
        {
            var notAfter = new DateTimeOffset(site.Certificate.Certificate.Leaf.NotAfter.ToUniversalTime());
            measurements.Add(new Measurement<long>(notAfter.ToUnixTimeSeconds(), new KeyValuePair<string, object?>("site", site.Hosts[0])));
        }

        return measurements;
    }

    // The expiry gauge cannot tell a site waiting for its first certificate: its temporary
    // self-signed one is good for a year. This one can.
    private IEnumerable<Measurement<int>> ObserveAcme()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var site in _model().Sites.Sites)
        {
            if (site.Certificate is AcmeCertificateSource acme)
            {
                measurements.Add(new Measurement<int>(acme.Issuer?.ConsecutiveFailures ?? 0, new KeyValuePair<string, object?>("site", site.Hosts[0])));
            }
        }

        return measurements;
    }
}
