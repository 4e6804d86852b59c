namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The whole validated configuration: an immutable snapshot. Request code never reads it; the
/// runtime model (Model/RuntimeModel.cs) is built from it.
/// </summary>
public sealed record ProxyConfig
{
    /// <summary>Where the configuration came from ("portcullis.yaml", "command line").</summary>
    public required string Source { get; init; }

    public required ListenConfig Listen { get; init; }

    /// <summary>
    /// Networks whose X-Forwarded-* headers are believed. By default none: a client can never choose
    /// the IP address authentik logs and rate-limits (CVE-2023-36456 is this family of bug).
    /// </summary>
    public required IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; }

    /// <summary>Where a generated self-signed certificate is kept across restarts.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// data_dir when absent: $XDG_DATA_HOME/portcullis, or ~/.local/share/portcullis without it (the
    /// XDG Base Directory Specification's default for user data).
    /// </summary>
    public static string DefaultDataDirectory()
    {
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "portcullis");
    }

    public required LimitsConfig Limits { get; init; }

    public required TimeoutsConfig Timeouts { get; init; }

    public required LogConfig Log { get; init; }

    public required IReadOnlyList<SiteConfig> Sites { get; init; }

    /// <summary>The admin listener (metrics, liveness, readiness); null, the default, when admin.listen is not set.</summary>
    public AdminConfig? Admin { get; init; }

    /// <summary>Automatic certificates (acme:) for the sites without tls.certificate; null, the default, when the section is absent.</summary>
    public AcmeConfig? Acme { get; init; }

    /// <summary>Files whose change triggers a reload: the config file itself and every PEM it names.</summary>
    public required IReadOnlyList<string> WatchedFiles { get; init; }
}
