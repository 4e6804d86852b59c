using System.CommandLine;

namespace Portcullis.Commands;

/// <summary>The options shared by the verbs that read a configuration.</summary>
internal static class ConfigOptions
{
    public static Option<string?> ConfigFile() => new("--config", "-c")
    {
        Description = "The YAML configuration file (see the README's configuration reference).",
    };
}
