namespace Portcullis.Emulator.AdminSystem;

/// <summary>
/// Body of <c>api/v3/admin/system/</c>. The first three fields keep the names of authentik's
/// SystemInfoSerializer (authentik/admin/api/system.py), the page users already open to debug
/// their proxy; the rest are the emulator's own, naming what authentik concludes internally.
/// </summary>
internal sealed record SystemInfo(
    IReadOnlyDictionary<string, string> HttpHeaders,
    string HttpHost,
    bool HttpIsSecure,
    string ClientIp,
    string PeerIp,
    bool PeerTrusted,
    string ClientIpMode,
    string Scheme,
    string HttpVersion,
    string Method,
    string Path,
    string WebPath,
    DateTimeOffset ServerTime);
