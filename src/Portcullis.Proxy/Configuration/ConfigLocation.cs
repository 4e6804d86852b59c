namespace Portcullis.Proxy.Configuration;

/// <summary>Where a value came from: a file and line, an environment variable, or a flag.</summary>
public readonly record struct ConfigLocation(string Source, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}
