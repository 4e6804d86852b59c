namespace Portcullis.Proxy.Configuration;

/// <summary>Reads a route's health_check: into a <see cref="HealthCheckConfig"/>.</summary>
internal static class HealthCheckConfigReader
{
    public static HealthCheckConfig Read(ConfigSection section)
    {
        var path = section.Text("path");
        if (path is null)
        {
            section.Error("path", section.Node, "a health check needs a path.", "path: /-/health/live/ (authentik answers it with 200 or 204 while it runs).");
            // Only so the rest is read and reported; the configuration is refused.
            path = "/";
        }
        else if (!path.StartsWith('/') || path.Contains('#') || path.Any(char.IsWhiteSpace))
        {
            section.Error("path", section.Child("path")!, $"'{path}' is not a path.", "start it with '/', e.g. /-/health/live/.");
        }

        var defaults = new HealthCheckConfig { Path = path };
        return defaults with
        {
            Interval = section.Duration("interval") ?? defaults.Interval,
            Timeout = section.Duration("timeout") ?? defaults.Timeout,
            UnhealthyAfter = section.Int("unhealthy_after", 1, 100) ?? defaults.UnhealthyAfter,
            HealthyAfter = section.Int("healthy_after", 1, 100) ?? defaults.HealthyAfter,
        };
    }
}
