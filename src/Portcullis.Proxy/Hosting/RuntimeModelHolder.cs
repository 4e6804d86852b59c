using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Holds the model requests read, and replaces it only with one that was completely built: a
/// reload that fails leaves the running model untouched.
/// </summary>
public sealed class RuntimeModelHolder(RuntimeModel initial, ILogger logger)
{
    private readonly Lock _reloadLock = new();
    private RuntimeModel _current = initial;

    public RuntimeModel Current => Volatile.Read(ref _current);

    /// <summary>Raised after every reload attempt: the errors, empty when the new model is live.</summary>
    public event Action<IReadOnlyList<ConfigError>>? Reloaded;

    public bool TryReload(Func<ProxyConfig> load)
    {
        IReadOnlyList<ConfigError> errors;
        lock (_reloadLock)
        {
            try
            {
                var config = load();
                var result = RuntimeModelBuilder.Build(config, _current);
                if (!SameListeners(config.Listen, _current.Config.Listen))
                {
                    logger.LogWarning("reload: listen addresses changed; they take effect after a restart");
                }

                foreach (var warning in result.Warnings)
                {
                    logger.LogWarning("{Warning}", warning);
                }

                Volatile.Write(ref _current, result.Model);
                Retire(result.Retired, config.Timeouts.UpstreamResponse);
                logger.LogInformation("reload: configuration from {Source} is live ({Sites} site(s))", config.Source, config.Sites.Count);
                errors = [];
            }
            catch (ConfigException ex)
            {
                logger.LogError("reload rejected, the previous configuration keeps serving:{NewLine}{Errors}", Environment.NewLine, string.Join(Environment.NewLine, ex.Errors));
                errors = ex.Errors;
            }
        }

        Reloaded?.Invoke(errors);
        return errors.Count == 0;
    }

    private static bool SameListeners(ListenConfig a, ListenConfig b) =>
        a.Http.SequenceEqual(b.Http) && a.Https.SequenceEqual(b.Https) && a.HttpsPort == b.HttpsPort;

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
