using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Holds the model requests read, and replaces it only with one that was completely built: a
/// reload that fails leaves the running model untouched. It also starts the health probes of the
/// model it serves and stops those a reload retires, and likewise its ACME certificate sources.
/// </summary>
public sealed class RuntimeModelHolder : IDisposable
{
    private readonly Lock _reloadLock = new();
    private readonly ILogger _logger;
    private readonly ProxyConfig _started;
    private readonly AcmeChallengeResponder[] _responders;
    private RuntimeModel _current;
    private bool _disposed;

    public RuntimeModelHolder(RuntimeModel initial, ILogger logger)
    {
        _logger = logger;
        _current = initial;
        _started = initial.Config;
        Http01Challenges = new Http01ChallengeResponder(Http01ChallengeResponder.DirectoryUnder(initial.Config.DataDirectory));
        TlsAlpn01Challenges = new TlsAlpn01ChallengeResponder(TlsAlpn01ChallengeResponder.DirectoryUnder(initial.Config.DataDirectory));
        _responders = [Http01Challenges, TlsAlpn01Challenges];
        initial.Health.Activate(null, logger);
        StartAcme(initial);
    }

    public RuntimeModel Current => Volatile.Read(ref _current);

    /// <summary>
    /// The one http-01 responder of the process (docs/acme.md): every ACME source's issuer adds its
    /// challenges here, and the plain-HTTP listener answers from it. Shared under the live data_dir.
    /// </summary>
    public Http01ChallengeResponder Http01Challenges { get; }

    /// <summary>The one tls-alpn-01 responder of the process: the HTTPS listeners answer "acme-tls/1" handshakes from it.</summary>
    public TlsAlpn01ChallengeResponder TlsAlpn01Challenges { get; }

    /// <summary>Completes once every ACME issuer has stopped after <see cref="Dispose"/>.</summary>
    public Task AcmeStopped { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Raised when a reloaded model has become the one requests read, before <see cref="Reloaded"/>:
    /// what lives outside the model (Kestrel's limits, the access log) is brought in line here.
    /// </summary>
    public event Action<RuntimeModel>? Swapped;

    /// <summary>Raised after every reload attempt: the errors, empty when the new model is live.</summary>
    public event Action<IReadOnlyList<ConfigError>>? Reloaded;

    /// <param name="trigger">What asked for the reload, for the log ("SIGHUP", "a watched file changed").</param>
    public bool TryReload(Func<ProxyConfig> load, string trigger)
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
                var waiting = RestartOnlySettings.Pending(_started, config);
                if (waiting.Count > 0)
                {
                    _logger.LogWarning("reload: {Keys} changed and take effect after a restart; everything else is applied now (trigger: {Trigger})", string.Join(", ", waiting), trigger);
                }

                foreach (var warning in result.Warnings)
                {
                    _logger.LogWarning("{Warning}", warning);
                }

                var previous = _current;
                Volatile.Write(ref _current, result.Model);
                Swapped?.Invoke(result.Model);
                result.Model.Health.Activate(previous.Health, _logger);
                if (config.DataDirectory != previous.Config.DataDirectory)
                {
                    // The new sources keep their certificates under the new data_dir: their
                    // challenges go there too, where the instances sharing it look for them.
                    Http01Challenges.Directory = Http01ChallengeResponder.DirectoryUnder(config.DataDirectory);
                    TlsAlpn01Challenges.Directory = TlsAlpn01ChallengeResponder.DirectoryUnder(config.DataDirectory);
                }

                StartAcme(result.Model);
                foreach (var (key, retiredSource) in previous.AcmeSources)
                {
                    if (!result.Model.AcmeSources.ContainsKey(key))
                    {
                        _ = retiredSource.StopAsync();
                    }
                }

                Retire(result.Retired, config.Timeouts.UpstreamResponse);
                _logger.LogInformation("reload: configuration from {Source} is live ({Sites} site(s); trigger: {Trigger})", config.Source, config.Sites.Count, trigger);
                errors = [];
            }
            catch (ConfigException ex)
            {
                _logger.LogError("reload rejected, the previous configuration keeps serving (trigger: {Trigger}):{NewLine}{Errors}", trigger, Environment.NewLine, string.Join(Environment.NewLine, ex.Errors));
                errors = ex.Errors;
            }
        }

        Reloaded?.Invoke(errors);
        return errors.Count == 0;
    }

    /// <summary>Stops the health probes and the ACME issuers (the server is stopping); see <see cref="AcmeStopped"/>.</summary>
    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
            _current.Health.Dispose();
            AcmeStopped = Task.WhenAll(_current.AcmeSources.Values.Select(source => source.StopAsync()));
        }
    }

    // A source already running (kept from the previous model) is left as it is.
    private void StartAcme(RuntimeModel model)
    {
        foreach (var source in model.AcmeSources.Values)
        {
            source.Start(_responders, _logger);
        }
    }

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
