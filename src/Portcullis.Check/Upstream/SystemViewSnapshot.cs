using System.Text.Json;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Upstream;

/// <summary>
/// What the upstream reported about one request through the proxy, from the Portcullis
/// emulator's system view or a real authentik's (<c>GET /api/v3/admin/system/</c>, whose
/// <c>http_headers</c> are Django's META keys such as <c>HTTP_X_FORWARDED_FOR</c>).
/// </summary>
internal sealed class SystemViewSnapshot
{
    private static readonly string[] ClientIpHeaders = ["X-Forwarded-For", "X-Real-IP", "Forwarded"];

    private SystemViewSnapshot(bool isEmulator, string httpHost, bool httpIsSecure, string? clientIp, bool clientIpDerived,
        string? httpVersion, string? peerIp, bool? peerTrusted, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        IsEmulator = isEmulator;
        HttpHost = httpHost;
        HttpIsSecure = httpIsSecure;
        ClientIp = clientIp;
        ClientIpDerived = clientIpDerived;
        HttpVersion = httpVersion;
        PeerIp = peerIp;
        PeerTrusted = peerTrusted;
        Headers = headers;
    }

    /// <summary>The Portcullis emulator answered (it reports its conclusions); otherwise a real authentik.</summary>
    public bool IsEmulator { get; }

    public string HttpHost { get; }

    public bool HttpIsSecure { get; }

    /// <summary>The client IP the upstream concluded, or derived from the headers by authentik's leftmost rule.</summary>
    public string? ClientIp { get; }

    /// <summary>True when <see cref="ClientIp"/> was derived here because the upstream does not report it.</summary>
    public bool ClientIpDerived { get; }

    /// <summary>The protocol of the proxy-to-upstream request (emulator only: authentik's own view shows its internal hop).</summary>
    public string? HttpVersion { get; }

    public string? PeerIp { get; }

    public bool? PeerTrusted { get; }

    /// <summary>Every header as the upstream named it.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>
    /// The headers that mean <paramref name="name"/> to a Django/WSGI reader: any case, "-" or
    /// "_", with or without META's HTTP_ prefix (X_Forwarded_For and X-Forwarded-For collide there).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> HeadersMeaning(string name)
    {
        var wanted = Normalize(name);
        return Headers.Where(header => Normalize(header.Key) == wanted);
    }

    public string? Header(string name)
    {
        var values = HeadersMeaning(name).Select(header => header.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>The client-IP headers that contain <paramref name="value"/>, as "Name: value" lines.</summary>
    public IReadOnlyList<string> ClientIpHeadersContaining(string value) =>
        ClientIpHeaders.SelectMany(HeadersMeaning)
            .Where(header => header.Value.Contains(value, StringComparison.Ordinal))
            .Select(header => $"{header.Key}: {header.Value}")
            .Distinct()
            .ToList();

    /// <summary>The client-IP headers the upstream saw, for a detail line.</summary>
    public string DescribeClientIpHeaders()
    {
        var seen = ClientIpHeaders.SelectMany(HeadersMeaning).Select(header => $"{header.Key}: {header.Value}").Distinct().ToList();
        return seen.Count == 0 ? "no X-Forwarded-For, X-Real-IP or Forwarded" : string.Join("; ", seen);
    }

    private static string Normalize(string name)
    {
        var upper = name.ToUpperInvariant().Replace('_', '-');
        return upper.StartsWith("HTTP-", StringComparison.Ordinal) && name.StartsWith("HTTP_", StringComparison.Ordinal) ? upper[5..] : upper;
    }

    /// <summary>Parses a system view body; null when it is not one.</summary>
    public static SystemViewSnapshot? Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("http_host", out var host) || host.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("http_is_secure", out var secure) || secure.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
                || !root.TryGetProperty("http_headers", out var headerObject) || headerObject.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var headers = headerObject.EnumerateObject()
                .Where(property => property.Value.ValueKind == JsonValueKind.String)
                .Select(property => KeyValuePair.Create(property.Name, property.Value.GetString()!))
                .ToList();
            var isEmulator = root.TryGetProperty("client_ip", out var clientIpElement) && clientIpElement.ValueKind == JsonValueKind.String;
            var snapshot = new SystemViewSnapshot(
                isEmulator,
                host.GetString()!,
                secure.GetBoolean(),
                isEmulator ? clientIpElement.GetString() : null,
                clientIpDerived: !isEmulator,
                isEmulator ? String(root, "http_version") : null,
                String(root, "peer_ip"),
                root.TryGetProperty("peer_trusted", out var trusted) && trusted.ValueKind is JsonValueKind.True or JsonValueKind.False ? trusted.GetBoolean() : null,
                headers);
            return isEmulator ? snapshot : snapshot.WithDerivedClientIp();
        }
    }

    /// <summary>
    /// A real authentik does not report its conclusion: apply its rule up to 2026.5 (leftmost
    /// X-Forwarded-For, then X-Real-IP, then the connection's REMOTE_ADDR).
    /// </summary>
    private SystemViewSnapshot WithDerivedClientIp()
    {
        var leftmost = Header("X-Forwarded-For")?.Split(',')[0].Trim();
        var derived = !string.IsNullOrEmpty(leftmost) ? leftmost : Header("X-Real-IP")?.Trim() ?? Header("REMOTE_ADDR");
        return new SystemViewSnapshot(IsEmulator, HttpHost, HttpIsSecure, derived, true, HttpVersion, PeerIp, PeerTrusted, Headers);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The concluded client IP as an address, or null.</summary>
    public System.Net.IPAddress? ClientAddress => Addresses.Parse(ClientIp);
}
