using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Admin;

/// <summary>
/// What /readyz answers: ready once the configuration is loaded and the listeners are bound, and
/// while every route has at least one upstream server in rotation, or has no health check (a
/// route without one is never declared dead: requests still try it, so the proxy is still useful).
/// </summary>
public sealed class Readiness(Func<RuntimeModel?> model)
{
    private volatile bool _listening;

    private volatile bool _stopping;

    /// <summary>Called once Kestrel has bound every listener.</summary>
    public void MarkListening() => _listening = true;

    /// <summary>Called on SIGTERM: the listeners stop accepting, so a scraper on a kept-alive connection hears 503.</summary>
    public void MarkStopping() => _stopping = true;

    /// <returns>Null when ready, else why not, in one line for the operator.</returns>
    public string? NotReadyReason()
    {
        if (model() is not { } current)
        {
            return "the configuration is not loaded yet";
        }

        if (_stopping)
        {
            return "shutting down";
        }

        if (!_listening)
        {
            return "the listeners are not bound yet";
        }

        // Health state is kept per server URL; a server is health-checked when any route names it
        // with a health_check (Model/RuntimeModelBuilder.cs builds one probe per URL and check).
        var probed = current.Health.Probes.Keys.Select(key => key.Url).ToHashSet(StringComparer.Ordinal);
        var now = Environment.TickCount64;
        foreach (var site in current.Sites.Sites)
        {
            foreach (var route in site.Routes)
            {
                var cluster = route.Cluster;
                var checkedServers = 0;
                var up = false;
                for (var i = 0; i < cluster.Destinations.Count && !up; i++)
                {
                    if (probed.Contains(cluster.Prefix(i)))
                    {
                        checkedServers++;
                        up = cluster.Health(i).IsAvailable(now);
                    }
                }

                if (checkedServers > 0 && !up)
                {
                    return $"every upstream of {site.Hosts[0]}{route.Prefix.Value} is down (health_check failing)";
                }
            }
        }

        return null;
    }
}
