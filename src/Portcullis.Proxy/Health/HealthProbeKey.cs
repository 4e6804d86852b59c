using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Health;

/// <summary>
/// What makes two health probes the same: the server, the check (path, interval, thresholds) and
/// the pooled client it goes through. A reload keeps a probe whose key is unchanged.
/// </summary>
public sealed record HealthProbeKey(string Url, HealthCheckConfig Check, HttpMessageInvoker Client);
