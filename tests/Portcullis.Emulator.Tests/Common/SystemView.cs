using System.Text.Json;

namespace Portcullis.Emulator.Tests.Common;

/// <summary>Reads the fields of <c>api/v3/admin/system/</c> a user would look at.</summary>
internal sealed class SystemView
{
    private readonly JsonElement _root;

    private SystemView(JsonElement root) => _root = root;

    public static SystemView Parse(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    public string HttpHost => _root.GetProperty("http_host").GetString()!;

    public bool HttpIsSecure => _root.GetProperty("http_is_secure").GetBoolean();

    public string ClientIp => _root.GetProperty("client_ip").GetString()!;

    public string PeerIp => _root.GetProperty("peer_ip").GetString()!;

    public bool PeerTrusted => _root.GetProperty("peer_trusted").GetBoolean();

    public string Scheme => _root.GetProperty("scheme").GetString()!;

    public string HttpVersion => _root.GetProperty("http_version").GetString()!;

    public string Method => _root.GetProperty("method").GetString()!;

    public string Path => _root.GetProperty("path").GetString()!;

    public string? Header(string name) =>
        _root.GetProperty("http_headers").EnumerateObject()
            .Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value.GetString())
            .FirstOrDefault();
}
