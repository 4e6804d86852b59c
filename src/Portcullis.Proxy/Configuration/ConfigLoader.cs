using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// Loads a configuration: YAML text, then PORTCULLIS_* environment variables, then reading and
/// validation. Either returns a complete <see cref="ProxyConfig"/> or throws a
/// <see cref="ConfigException"/> carrying every error found.
/// </summary>
public static class ConfigLoader
{
    public static ProxyConfig LoadFile(string path, IDictionary? environment = null)
    {
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(new ConfigLocation(path, 0, 0), "(file)", ex.Message, "check the path given to --config.")]);
        }

        var config = LoadText(text, path, Path.GetDirectoryName(fullPath)!, environment);
        return config with { WatchedFiles = [fullPath, .. config.WatchedFiles] };
    }

    public static ProxyConfig LoadText(string text, string sourceName, string baseDirectory, IDictionary? environment = null)
    {
        var origins = new NodeOrigins(sourceName);
        YamlMappingNode root;
        Parser? parser = null;
        try
        {
            var stream = new YamlStream();
            parser = new Parser(new StringReader(text));
            stream.Load(parser);
            root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new ConfigException([new ConfigError(new ConfigLocation(sourceName, 1, 1), "(root)", "the file must be a YAML mapping.", "start with listen:, sites: and so on.")]);
        }
        catch (YamlException ex)
        {
            var message = (ex.InnerException?.Message ?? ex.Message).Trim();
            throw new ConfigException([new ConfigError(new ConfigLocation(sourceName, (int)ex.Start.Line, (int)ex.Start.Column), "(syntax)", message, "check indentation (spaces, not tabs) and quoting around this line.")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException for some unclosed flow
            // collections ("hosts: [a" followed by a new line); point at the last event it parsed.
            var mark = parser?.Current?.Start;
            throw new ConfigException([new ConfigError(new ConfigLocation(sourceName, (int)(mark?.Line ?? 0), (int)(mark?.Column ?? 0)), "(syntax)",
                "the YAML could not be parsed after this point.", "look for an unclosed [ or { or quote, and check indentation (spaces, not tabs).")]);
        }

        return Load(root, origins, baseDirectory, environment);
    }

    /// <summary>Reads a tree built in code (the command line's one-site mode) through the same checks.</summary>
    public static ProxyConfig Load(YamlMappingNode root, NodeOrigins origins, string baseDirectory, IDictionary? environment = null)
    {
        var errors = new List<ConfigError>();
        if (environment is not null)
        {
            errors.AddRange(EnvironmentOverrides.Apply(root, environment, origins));
        }

        var reader = new ConfigReader(origins, baseDirectory);
        var config = reader.Read(root);
        errors.AddRange(reader.Errors);
        errors.AddRange(ConfigValidator.Validate(config));
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return config;
    }
}
