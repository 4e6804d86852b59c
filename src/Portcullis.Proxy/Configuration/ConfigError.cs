namespace Portcullis.Proxy.Configuration;

/// <summary>One problem in a configuration: where, which key, what is wrong and how to fix it.</summary>
public sealed record ConfigError(ConfigLocation Location, string Key, string Message, string? Hint = null)
{
    public override string ToString() =>
        Hint is null ? $"{Location}: {Key}: {Message}" : $"{Location}: {Key}: {Message} Hint: {Hint}";
}
