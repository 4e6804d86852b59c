using System.Net;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The admin listener: /metrics, /healthz and /readyz on an address of its own, never on a public
/// listener. Absent (null in <see cref="ProxyConfig.Admin"/>) unless admin.listen is set.
/// </summary>
public sealed record AdminConfig
{
    /// <summary>admin.listen, e.g. 127.0.0.1:9901. Changing it needs a restart, like listen.*.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>
    /// Also export the platform's per-request metrics: ASP.NET Core's http.server.* and HttpClient's
    /// http.client.* (upstream request durations and connections). Off by default: recording them
    /// costs about 8 % CPU per request (docs/benchmarks.md), and portcullis_requests_total and
    /// portcullis_request_duration_seconds already count every request; Kestrel's connection
    /// metrics and the runtime's are always exported.
    /// </summary>
    public bool PlatformRequestMetrics { get; init; }

    /// <summary>Where admin.listen was written, for errors about it.</summary>
    public required ConfigLocation Location { get; init; }
}
