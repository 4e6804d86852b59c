using Microsoft.Extensions.Logging;

namespace Portcullis.Proxy.Health;

/// <summary>
/// The active health checks of one runtime model: one <see cref="HealthProbe"/> per distinct
/// upstream server, path and client. A reload hands the probes it keeps to the new model, starts
/// the new ones and stops the rest; building a model (or validating a file) starts nothing.
/// </summary>
public sealed class HealthMonitor(UpstreamHealthTable table, IReadOnlyDictionary<HealthProbeKey, HealthProbe> probes, IReadOnlySet<string> urls) : IDisposable
{
    public UpstreamHealthTable Table { get; } = table;

    public IReadOnlyDictionary<HealthProbeKey, HealthProbe> Probes { get; } = probes;

    /// <summary>Called once this model serves: starts its probes and retires what the previous model had and this one does not.</summary>
    public void Activate(HealthMonitor? previous, ILogger logger)
    {
        Table.Logger = logger;
        // New probes start before retired ones stop, so a server checked by both never counts as unprobed.
        foreach (var probe in Probes.Values)
        {
            probe.Start();
        }

        if (previous is not null)
        {
            foreach (var (key, probe) in previous.Probes)
            {
                if (!Probes.TryGetValue(key, out var kept) || !ReferenceEquals(kept, probe))
                {
                    probe.Dispose();
                }
            }
        }

        Table.Retain(urls);
    }

    public void Dispose()
    {
        foreach (var probe in Probes.Values)
        {
            probe.Dispose();
        }
    }
}
