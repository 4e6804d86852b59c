namespace Portcullis.Proxy.Configuration;

/// <summary>A configuration that failed validation, with every error found.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception($"{errors.Count} configuration error(s):{Environment.NewLine}" + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
