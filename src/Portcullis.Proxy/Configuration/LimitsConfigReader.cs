namespace Portcullis.Proxy.Configuration;

/// <summary>Reads limits: into a <see cref="LimitsConfig"/>.</summary>
internal static class LimitsConfigReader
{
    public static LimitsConfig Read(ConfigSection section)
    {
        var defaults = new LimitsConfig();
        return new LimitsConfig
        {
            MaxRequestHeadersBytes = section.Size("max_request_headers", 1024) ?? defaults.MaxRequestHeadersBytes,
            MaxRequestLineBytes = section.Size("max_request_line", 1024) ?? defaults.MaxRequestLineBytes,
            MaxRequestBodyBytes = section.Size("max_request_body", 0) ?? defaults.MaxRequestBodyBytes,
            MaxResponseHeadersBytes = section.Size("max_response_headers", 1024) ?? defaults.MaxResponseHeadersBytes,
            MaxStreamsPerConnection = section.Int("max_streams_per_connection", 1, 10_000) ?? defaults.MaxStreamsPerConnection,
            MaxConnectionsPerClient = section.Int("max_connections_per_client", 1, 1_000_000) ?? defaults.MaxConnectionsPerClient,
            PerClientCapAboveConnections = section.Int("per_client_cap_above_connections", 0, 10_000_000) ?? defaults.PerClientCapAboveConnections,
            MinRequestBodyBytesPerSecond = section.Size("min_request_body_rate", 0) ?? defaults.MinRequestBodyBytesPerSecond,
        };
    }
}
