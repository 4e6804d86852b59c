using System.Net;

namespace Portcullis.Proxy.Configuration;

/// <summary>Reads listen: into a <see cref="ListenConfig"/>.</summary>
internal static class ListenConfigReader
{
    public static ListenConfig Read(ConfigSection section)
    {
        var defaults = new ListenConfig();
        return new ListenConfig
        {
            Http = Endpoints(section, "http") ?? defaults.Http,
            Https = Endpoints(section, "https") ?? defaults.Https,
            HttpsPort = section.Int("https_port", 1, 65535),
            ProxyProtocol = section.Bool("proxy_protocol") ?? defaults.ProxyProtocol,
            ProxyProtocolLocation = section.LocationOf("proxy_protocol"),
        };
    }

    /// <summary>Null when the key is absent (the default applies); a present, empty list listens on nothing.</summary>
    private static IPEndPoint[]? Endpoints(ConfigSection section, string key)
    {
        if (section.Texts(key) is not { } items)
        {
            return null;
        }

        var result = new List<IPEndPoint>();
        foreach (var (item, value) in items)
        {
            var text = value.StartsWith("*:", StringComparison.Ordinal) ? "0.0.0.0" + value[1..] : value;
            if (text.Contains(':') && IPEndPoint.TryParse(text, out var endpoint) && text.EndsWith(":" + endpoint.Port, StringComparison.Ordinal))
            {
                result.Add(endpoint);
            }
            else
            {
                section.Error(key, item, $"'{value}' is not an IP address and port.", "write \"0.0.0.0:443\", \"[::]:443\" or \"127.0.0.1:8443\".");
            }
        }

        return result.ToArray();
    }
}
