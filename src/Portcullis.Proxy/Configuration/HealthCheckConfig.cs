namespace Portcullis.Proxy.Configuration;

/// <summary>
/// An active health check of a route's upstream servers (health_check: under the route). Absent,
/// servers are checked passively only: a failed connection takes one out for 5 s.
/// </summary>
public sealed record HealthCheckConfig
{
    /// <summary>The path probed with a GET on every upstream server, e.g. authentik's /-/health/live/. Required.</summary>
    public required string Path { get; init; }

    /// <summary>Time between two probes of one server. Default 10 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A probe without a 2xx answer within this counts as failed. Default 2 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Failed probes in a row that take a server out of rotation. Default 2.</summary>
    public int UnhealthyAfter { get; init; } = 2;

    /// <summary>Passed probes in a row that bring a server back. Default 1.</summary>
    public int HealthyAfter { get; init; } = 1;
}
