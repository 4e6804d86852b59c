namespace Portcullis.Proxy.Configuration;

/// <summary>The access log: where it goes and in which format.</summary>
public sealed record LogConfig
{
    /// <summary>"stdout", "off", or a file path.</summary>
    public string Access { get; init; } = "stdout";

    public AccessLogFormat Format { get; init; } = AccessLogFormat.Combined;
}
