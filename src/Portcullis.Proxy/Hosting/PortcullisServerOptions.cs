using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Hosting;

/// <summary>How a <see cref="PortcullisServer"/> is embedded: by the CLI, the demo, or a test.</summary>
public sealed record PortcullisServerOptions
{
    /// <summary>Loads the configuration again on reload; null: no live reload (flags only).</summary>
    public Func<ProxyConfig>? Reload { get; init; }

    /// <summary>How often watched files are compared even without a file-system event.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the access log goes when the config says "stdout" (tests capture it).</summary>
    public TextWriter? AccessLogOutput { get; init; }

    /// <summary>Replaces the console logger (tests collect log lines).</summary>
    public ILoggerProvider? LoggerProvider { get; init; }

    /// <summary>React to SIGHUP with a reload (off in tests: one process hosts many servers).</summary>
    public bool HandleSignals { get; init; } = true;
}
