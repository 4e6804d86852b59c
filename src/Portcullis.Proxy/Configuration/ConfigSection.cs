using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// One YAML mapping of the configuration with its key path ("timeouts", "sites[0].routes[1]"), as
/// a section reader sees it. Reading a key declares it: when the reader is done, every key of the
/// mapping it did not read is reported as unknown, with a "did you mean" among the declared keys,
/// so no reader keeps a list of its keys apart from the code that reads them. A reader therefore
/// reads every key of its section unconditionally, in the order the README documents them (that
/// order is the one "known keys here" lists).
/// Each accessor reports its own errors under the key's full path and returns null when the key
/// is absent or its value is wrong; the reader then takes the record's default.
/// </summary>
internal sealed class ConfigSection
{
    private readonly ConfigReader _reader;
    private readonly List<string> _declared = [];

    private ConfigSection(ConfigReader reader, YamlMappingNode node, string path)
    {
        _reader = reader;
        Node = node;
        Path = path;
    }

    /// <summary>The mapping itself, for errors about the section as a whole.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>The section's key path: "" for the root, "limits", "sites[0].tls".</summary>
    public string Path { get; }

    public ConfigLocation Location => _reader.Origins.Locate(Node);

    /// <summary>Where a key of this section is written; the section's own place when it is absent.</summary>
    public ConfigLocation LocationOf(string key) => Child(key) is { } node ? _reader.Origins.Locate(node) : Location;

    public string PathOf(string key) => Path.Length == 0 ? key : Path + "." + key;

    public static T ReadRoot<T>(ConfigReader reader, YamlMappingNode root, Func<ConfigSection, T> read)
    {
        var result = default(T)!;
        new ConfigSection(reader, root, "").ReadWith(section => result = read(section));
        return result;
    }

    /// <summary>
    /// A section under <paramref name="key"/> (listen:, tls:, …). Absent or empty reads as an empty
    /// mapping, so every key in it takes its record default; a value or a list there is an error.
    /// </summary>
    public T Section<T>(string key, Func<ConfigSection, T> read)
    {
        var result = default(T)!;
        new ConfigSection(_reader, Mapping(key) ?? new YamlMappingNode(), PathOf(key)).ReadWith(section => result = read(section));
        return result;
    }

    /// <summary>A section whose absence means "not configured" (health_check:): null when absent or empty.</summary>
    public T? OptionalSection<T>(string key, Func<ConfigSection, T> read)
        where T : class
    {
        if (Mapping(key) is not { } node)
        {
            return null;
        }

        T? result = null;
        new ConfigSection(_reader, node, PathOf(key)).ReadWith(section => result = read(section));
        return result;
    }

    /// <summary>
    /// A list of sections (sites:, routes:), each item read in turn as "key[i]". A missing or empty
    /// list is reported with <paramref name="empty"/>, an item that is not a mapping with
    /// <paramref name="notMapping"/>; neither calls <paramref name="read"/>.
    /// </summary>
    public void Sections(string key, (string Message, string Hint) empty, (string Message, string Hint) notMapping, Action<ConfigSection> read)
    {
        var node = Child(key);
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Error(key, node ?? Node, empty.Message, empty.Hint);
            return;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{PathOf(key)}[{i}]";
            if (sequence.Children[i] is not YamlMappingNode item)
            {
                _reader.Error(sequence.Children[i], path, notMapping.Message, notMapping.Hint);
                continue;
            }

            new ConfigSection(_reader, item, path).ReadWith(read);
        }
    }

    /// <summary>The raw value under <paramref name="key"/>, declaring the key; null when absent.</summary>
    public YamlNode? Child(string key)
    {
        if (!_declared.Contains(key))
        {
            _declared.Add(key);
        }

        return Node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
    }

    public YamlScalarNode? Scalar(string key)
    {
        var child = Child(key);
        if (child is null)
        {
            return null;
        }

        if (child is YamlScalarNode scalar)
        {
            return scalar;
        }

        Error(key, child, "expected a single value, found a " + (child is YamlSequenceNode ? "list." : "mapping."), "write it on the same line as the key.");
        return null;
    }

    public string? Text(string key) => Scalar(key)?.Value;

    /// <summary>A key that takes one value or a list of values ("upstream: url" or "upstream: [a, b]"); null when absent.</summary>
    public IReadOnlyList<(YamlNode Node, string Value)>? Texts(string key)
    {
        var result = new List<(YamlNode, string)>();
        switch (Child(key))
        {
            case null:
                return null;
            case YamlScalarNode { Value: { Length: > 0 } value } scalar:
                result.Add((scalar, value));
                break;
            case YamlScalarNode:
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { } value })
                    {
                        result.Add((item, value));
                    }
                    else
                    {
                        Error(key, item, "expected a single value in this list.", "each list item is one string.");
                    }
                }

                break;
            case var other:
                Error(key, other, "expected a value or a list, found a mapping.", "write a value, or a list in [brackets].");
                break;
        }

        return result;
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key);
        return scalar?.Value switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => Invalid<bool?>(key, scalar, $"'{scalar.Value}' is not true or false.", "write true or false."),
        };
    }

    public int? Int(string key, int min, int max)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (int.TryParse(scalar.Value, out var value) && value >= min && value <= max)
        {
            return value;
        }

        return Invalid<int?>(key, scalar, $"'{scalar.Value}' is not a whole number from {min} to {max}.", $"write a number from {min} to {max}.");
    }

    /// <summary>A positive duration: "500ms", "30s", "1h30m" or a number of seconds.</summary>
    public TimeSpan? Duration(string key)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (ValueParsers.TryParseDuration(scalar.Value, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        return Invalid<TimeSpan?>(key, scalar, $"'{scalar.Value}' is not a duration.", "write e.g. 500ms, 30s, 10m or 1h.");
    }

    public long? Size(string key, long min)
    {
        var scalar = Scalar(key);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (ValueParsers.TryParseSize(scalar.Value, out var value) && value >= min)
        {
            return value;
        }

        return Invalid<long?>(key, scalar, $"'{scalar.Value}' is not a size of at least {min} bytes.", "write e.g. 64KiB, 100MiB or a number of bytes.");
    }

    /// <summary>A file the configuration depends on (a PEM): its full path, watched for changes so a replaced file is picked up live.</summary>
    public string? FilePath(string key)
    {
        var path = AnyPath(key);
        if (path is not null)
        {
            _reader.Watch(path);
        }

        return path;
    }

    /// <summary>A directory (data_dir): its full path, not watched.</summary>
    public string? DirectoryPath(string key) => AnyPath(key);

    /// <summary>
    /// <paramref name="value"/> of <paramref name="key"/> as a full path, relative to the config
    /// file's directory. Path.GetFullPath throws on a NUL, which a quoted YAML string ("\0") or an
    /// environment override can carry: reported like any other bad value (found by fuzz/run.sh config).
    /// </summary>
    public string? FullPath(string key, string value)
    {
        if (value.Contains('\0'))
        {
            Error(key, Child(key) ?? Node, "a path cannot contain a NUL character.", "remove the \\0 from the path.");
            return null;
        }

        return System.IO.Path.GetFullPath(value, _reader.BaseDirectory);
    }

    /// <summary>An error about <paramref name="key"/> of this section, located at <paramref name="at"/>.</summary>
    public void Error(string key, YamlNode at, string message, string? hint) => _reader.Error(at, PathOf(key), message, hint);

    /// <summary>An error about the section as a whole ("certificate and key go together").</summary>
    public void SectionError(string message, string? hint) => _reader.Error(Node, Path, message, hint);

    public T? Invalid<T>(string key, YamlNode at, string message, string hint)
    {
        Error(key, at, message, hint);
        return default;
    }

    private string? AnyPath(string key)
    {
        var value = Text(key);
        return string.IsNullOrWhiteSpace(value) ? null : FullPath(key, value);
    }

    /// <summary>A section's mapping: absent or empty is null; a value or a list there is an error, not a silent default.</summary>
    private YamlMappingNode? Mapping(string key)
    {
        switch (Child(key))
        {
            case null or YamlScalarNode { Value: null or "" or "~" or "null" }:
                return null;
            case YamlMappingNode mapping:
                return mapping;
            case var other:
                Error(key, other, "expected keys under it, found a " + (other is YamlSequenceNode ? "list." : "single value."), "write its keys on the lines below it, indented.");
                return null;
        }
    }

    /// <summary>
    /// Runs the section's reader, then reports the keys it did not read. Those errors go where the
    /// section's first error would have gone, so a section's unknown keys come before the errors of
    /// its values and sub-sections, as a reader checking its keys first would report them.
    /// </summary>
    private void ReadWith(Action<ConfigSection> read)
    {
        var firstError = _reader.ErrorCount;
        read(this);
        var unknown = new List<ConfigError>();
        foreach (var (keyNode, _) in Node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "?";
            if (_declared.Contains(key))
            {
                continue;
            }

            var suggestion = KeySuggestion.Closest(key, _declared);
            unknown.Add(new ConfigError(_reader.Origins.Locate(keyNode), PathOf(key), "unknown key.",
                suggestion is null ? $"known keys here: {string.Join(", ", _declared)}." : $"did you mean '{suggestion}'?"));
        }

        _reader.InsertErrors(firstError, unknown);
    }
}
