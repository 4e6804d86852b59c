using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The one place that turns raw YAML into configuration records. It never stops at the first
/// problem: every unknown key, wrong type and unparsable value is collected with its location.
/// <para>
/// Shape: <see cref="ConfigSection"/> is the reading core. It wraps one YAML mapping and its key
/// path, and reading a key through it both declares the key (what was not read is reported as
/// unknown, with a "did you mean") and reports errors under the key's full path. Each section has
/// a small static reader beside its record: <see cref="ProxyConfigReader"/> (the root),
/// <see cref="ListenConfigReader"/>, <see cref="LimitsConfigReader"/>, <see cref="TimeoutsConfigReader"/>,
/// <see cref="LogConfigReader"/>, <see cref="SiteConfigReader"/>, <see cref="SiteTlsConfigReader"/>,
/// <see cref="RouteConfigReader"/>, <see cref="UpstreamTlsConfigReader"/> and
/// <see cref="HealthCheckConfigReader"/>. Defaults live only in the records (property initialisers
/// or a named constant); a reader takes an absent key's value from there. Checks across sections
/// and files come after, in <see cref="ConfigValidator"/>.
/// </para>
/// </summary>
internal sealed class ConfigReader(NodeOrigins origins, string baseDirectory)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<string> _watchedFiles = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    public NodeOrigins Origins => origins;

    /// <summary>Relative paths in the configuration are relative to this (the config file's directory).</summary>
    public string BaseDirectory => baseDirectory;

    public int ErrorCount => _errors.Count;

    /// <remarks>Returned even with errors: the cross-key checks run on what could be read, so one run reports everything.</remarks>
    public ProxyConfig Read(YamlMappingNode root) =>
        ConfigSection.ReadRoot(this, root, section => ProxyConfigReader.Read(section, origins.FileName, _watchedFiles));

    public void Error(YamlNode node, string key, string message, string? hint) =>
        _errors.Add(new ConfigError(origins.Locate(node), key, message, hint));

    public void InsertErrors(int index, IEnumerable<ConfigError> errors) => _errors.InsertRange(index, errors);

    /// <summary>A file whose change triggers a reload.</summary>
    public void Watch(string path) => _watchedFiles.Add(path);
}
