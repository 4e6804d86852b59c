namespace Portcullis.Proxy.Configuration;

/// <summary>Reads log: into a <see cref="LogConfig"/>.</summary>
internal static class LogConfigReader
{
    public static LogConfig Read(ConfigSection section)
    {
        var defaults = new LogConfig();
        var access = section.Text("access") ?? defaults.Access;
        if (access is not ("stdout" or "off"))
        {
            access = section.FullPath("access", access) ?? defaults.Access;
        }

        var format = defaults.Format;
        if (section.Scalar("format") is { } formatNode)
        {
            switch (formatNode.Value)
            {
                case "combined": format = AccessLogFormat.Combined; break;
                case "json": format = AccessLogFormat.Json; break;
                default: section.Error("format", formatNode, $"'{formatNode.Value}' is not a log format.", "use \"combined\" or \"json\"."); break;
            }
        }

        return new LogConfig { Access = access, Format = format };
    }
}
