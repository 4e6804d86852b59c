using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
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
        if (FindUnprintable(text) is { } bad)
        {
            throw new ConfigException([new ConfigError(new ConfigLocation(sourceName, bad.Line, bad.Column), "(syntax)",
                $"the file contains the control character U+{(int)text[bad.Index]:X4}, which YAML does not allow (YAML 1.2 §5.1).",
                "save the file as UTF-8 text and remove the character at this position; write \\0 or \\t inside double quotes if it was meant.")]);
        }

        try
        {
            // The first pass's parser is the one the catches below read the position from.
            parser = new Parser(new StringReader(text));
            CheckShape(parser, sourceName);
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
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws InvalidOperationException instead of a YamlException for
            // some unclosed flow collections ("hosts: [a" followed by a new line), and its loader
            // ArgumentException ("unsupported type") for a NUL where a key starts ("\0: x", found
            // by fuzz/run.sh config); point at the last event it parsed.
            var mark = parser?.Current?.Start;
            throw new ConfigException([new ConfigError(new ConfigLocation(sourceName, (int)(mark?.Line ?? 0), (int)(mark?.Column ?? 0)), "(syntax)",
                "the YAML could not be parsed after this point.", "look for an unclosed [ or { or quote, and check indentation (spaces, not tabs).")]);
        }

        return Load(root, origins, baseDirectory, environment);
    }

    /// <summary>
    /// The first character outside YAML's printable set, with its 1-based line and column.
    /// YamlDotNet reads a NUL as the end of its look-ahead buffer and can loop for ever on one
    /// (found by fuzz/run.sh config: a 1 KiB file held a validation for minutes); YAML forbids
    /// them anyway, so they are refused before the parser sees them.
    /// </summary>
    private static (int Index, int Line, int Column)? FindUnprintable(string text)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
            }
            else if ((c < 0x20 && c is not ('\t' or '\r')) || c is (>= (char)0x7F and <= (char)0x9F) and not (char)0x85 || c is (char)0xFFFE or (char)0xFFFF)
            {
                return (i, line, i - lineStart + 1);
            }
        }

        return null;
    }

    /// <summary>Deeper than any Portcullis config (5 levels) by far, shallow enough for any stack.</summary>
    private const int MaxDepth = 64;

    /// <summary>
    /// YamlDotNet's representation model recurses once per nesting level and hashes collection
    /// mapping keys all the way down, so a self-referencing alias ("? &amp;a [*a]") or some 50,000
    /// nested brackets end the process with a stack overflow, which no catch can turn into an error
    /// (a live reload would take the running proxy down). The parser alone keeps its own stack:
    /// one pass over its events refuses those first. Found by fuzz/run.sh config.
    /// </summary>
    private static void CheckShape(Parser parser, string sourceName)
    {
        var open = new Stack<(AnchorName Anchor, bool Mapping, int Children)>();
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            if (current is SequenceEnd or MappingEnd)
            {
                open.Pop();
                continue;
            }

            if (current is not (NodeEvent or AnchorAlias))
            {
                continue;
            }

            // A node inside a mapping: keys and values alternate.
            if (open.TryPop(out var parent))
            {
                if (parent.Mapping && parent.Children % 2 == 0 && current is not Scalar)
                {
                    throw ShapeError(sourceName, current, "a mapping key must be a plain name, not a list, a mapping or an alias.", "write keys as plain words, e.g. listen:, sites:.");
                }

                open.Push(parent with { Children = parent.Children + 1 });
            }

            if (current is AnchorAlias alias && open.Any(o => o.Anchor == alias.Value))
            {
                throw ShapeError(sourceName, current, $"the alias *{alias.Value} is inside the node it refers to, which would make it endless.", "point the alias at a node defined before it, outside it.");
            }

            if (current is SequenceStart or MappingStart)
            {
                if (open.Count == MaxDepth)
                {
                    throw ShapeError(sourceName, current, $"the YAML is nested more than {MaxDepth} levels deep.", "look for unclosed or runaway [ and {.");
                }

                open.Push((((NodeEvent)current).Anchor, current is MappingStart, 0));
            }
        }
    }

    private static ConfigException ShapeError(string sourceName, ParsingEvent at, string message, string hint) =>
        new([new ConfigError(new ConfigLocation(sourceName, (int)at.Start.Line, (int)at.Start.Column), "(syntax)", message, hint)]);

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
