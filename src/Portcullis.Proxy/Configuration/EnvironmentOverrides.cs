using System.Collections;
using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// Applies PORTCULLIS_* environment variables on top of the file, before validation, so a value
/// from the environment is checked exactly like one from the file. The name is the key path in
/// upper case with "__" between levels and list indexes as numbers:
/// PORTCULLIS_TRUSTED_PROXIES=10.0.0.0/8,fd00::/8, PORTCULLIS_SITES__0__ROUTES__0__UPSTREAM=https://authentik:9443.
/// A comma makes a list; so does a key whose file value is already a list.
/// </summary>
public static class EnvironmentOverrides
{
    public const string Prefix = "PORTCULLIS_";

    public static IReadOnlyList<ConfigError> Apply(YamlMappingNode root, IDictionary environment, NodeOrigins origins)
    {
        var errors = new List<ConfigError>();
        var names = environment.Keys.OfType<string>()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var value = environment[name] as string ?? "";
            var segments = name[Prefix.Length..].ToLowerInvariant().Split("__");
            if (!TrySet(root, segments, value, name, origins, out var problem))
            {
                errors.Add(new ConfigError(new ConfigLocation("environment variable " + name, 0, 0), string.Join('.', segments), problem!,
                    "name the key path in upper case with __ between levels, e.g. PORTCULLIS_SITES__0__HSTS=false."));
            }
        }

        return errors;
    }

    private static bool TrySet(YamlMappingNode root, string[] segments, string value, string name, NodeOrigins origins, out string? problem)
    {
        YamlNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var segment = segments[i];
            switch (current)
            {
                case YamlMappingNode mapping:
                    var key = new YamlScalarNode(segment);
                    mapping.Children.TryGetValue(key, out var existing);
                    if (last)
                    {
                        var node = MakeValue(value, existing is YamlSequenceNode);
                        origins.Register(node, "environment variable " + name);
                        mapping.Children[key] = node;
                        origins.Register(key, "environment variable " + name);
                        problem = null;
                        return true;
                    }

                    if (existing is null)
                    {
                        existing = int.TryParse(segments[i + 1], out _) ? new YamlSequenceNode() : new YamlMappingNode();
                        mapping.Children[key] = existing;
                        origins.Register(key, "environment variable " + name);
                        origins.Register(existing, "environment variable " + name);
                    }

                    current = existing;
                    break;
                case YamlSequenceNode sequence when int.TryParse(segment, out var index) && index >= 0 && index <= sequence.Children.Count:
                    if (index == sequence.Children.Count)
                    {
                        var added = last ? MakeValue(value, false) : new YamlMappingNode();
                        origins.Register(added, "environment variable " + name);
                        sequence.Children.Add(added);
                    }
                    else if (last)
                    {
                        sequence.Children[index] = MakeValue(value, false);
                        origins.Register(sequence.Children[index], "environment variable " + name);
                    }

                    current = sequence.Children[index];
                    break;
                default:
                    problem = $"'{segment}' does not fit here (index past the end of a list, or a key under a plain value).";
                    return false;
            }
        }

        problem = null;
        return true;
    }

    private static YamlNode MakeValue(string value, bool asList) =>
        asList || value.Contains(',')
            ? new YamlSequenceNode(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => new YamlScalarNode(v)))
            : new YamlScalarNode(value);
}
