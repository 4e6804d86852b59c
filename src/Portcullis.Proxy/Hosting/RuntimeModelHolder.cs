using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Holds the model requests read, and replaces it only with one that was completely built: a
/// reload that fails leaves the running model untouched. It also starts the health probes of the
/// model it serves and stops those a reload retires.
/// </summary>
public sealed class RuntimeModelHolder : IDisposable
{
    private readonly Lock _reloadLock = new();
    private readonly ILogger _logger;
    private RuntimeModel _current;
    private bool _disposed;

    public RuntimeModelHolder(RuntimeModel initial, ILogger logger)
    {
        _logger = logger;
        _current = initial;
        initial.Health.Activate(null, logger);
    }

    public RuntimeModel Current => Volatile.Read(ref _current);

    /// <summary>Raised after every reload attempt: the errors, empty when the new model is live.</summary>
    public event Action<IReadOnlyList<ConfigError>>? Reloaded;

    public bool TryReload(Func<ProxyConfig> load)
    {
        IReadOnlyList<ConfigError> errors;
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return false;
            }

            try
            {
                var config = load();
                var result = RuntimeModelBuilder.Build(config, _current);
                if (!SameListeners(config.Listen, _current.Config.Listen))
                {
                    _logger.LogWarning("reload: listen addresses or listen.proxy_protocol changed; they take effect after a restart");
                }

                foreach (var warning in result.Warnings)
                {
                    _logger.LogWarning("{Warning}", warning);
                }

                var previous = _current;
                Volatile.Write(ref _current, result.Model);
                result.Model.Health.Activate(previous.Health, _logger);
                Retire(result.Retired, config.Timeouts.UpstreamResponse);
                _logger.LogInformation("reload: configuration from {Source} is live ({Sites} site(s))", config.Source, config.Sites.Count);
                errors = [];
            }
            catch (ConfigException ex)
            {
                _logger.LogError("reload rejected, the previous configuration keeps serving:{NewLine}{Errors}", Environment.NewLine, string.Join(Environment.NewLine, ex.Errors));
                errors = ex.Errors;
            }
        }

        Reloaded?.Invoke(errors);
        return errors.Count == 0;
    }

    /// <summary>Stops the health probes (the server is stopping).</summary>
    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
            _current.Health.Dispose();
        }
    }

    private static bool SameListeners(ListenConfig a, ListenConfig b) =>
        a.Http.SequenceEqual(b.Http) && a.Https.SequenceEqual(b.Https) && a.HttpsPort == b.HttpsPort && a.ProxyProtocol == b.ProxyProtocol;

    // In-flight requests may still use a retired client: dispose it once they must have ended.
    private static void Retire(IReadOnlyList<UpstreamClient> retired, TimeSpan responseTimeout)
    {
        if (retired.Count == 0)
        {
            return;
        }

        _ = Task.Delay(responseTimeout + TimeSpan.FromSeconds(10)).ContinueWith(_ =>
        {
            foreach (var client in retired)
            {
                client.Invoker.Dispose();
            }
        }, TaskScheduler.Default);
    }
}
