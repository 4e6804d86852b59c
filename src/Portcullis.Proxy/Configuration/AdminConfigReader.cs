using System.Net;

namespace Portcullis.Proxy.Configuration;

/// <summary>Reads admin: into an <see cref="AdminConfig"/>; null when admin.listen is not set (no admin listener).</summary>
internal static class AdminConfigReader
{
    public static AdminConfig? Read(ConfigSection section)
    {
        // Both keys are read before anything returns: a key a reader does not read is reported unknown.
        var listenNode = section.Scalar("listen");
        var platformRequestMetrics = section.Bool("platform_request_metrics") ?? false;
        if (listenNode is not { } listen)
        {
            return null;
        }

        if (listen.Value is { } value && value.Contains(':') && IPEndPoint.TryParse(value, out var endpoint) && value.EndsWith(":" + endpoint.Port, StringComparison.Ordinal))
        {
            return new AdminConfig { Listen = endpoint, Location = section.LocationOf("listen"), PlatformRequestMetrics = platformRequestMetrics };
        }

        section.Error("listen", listen, $"'{listen.Value}' is not an IP address and port.", "write one address like \"127.0.0.1:9901\" or \"[::1]:9901\"; keep it off the public network.");
        return null;
    }
}
