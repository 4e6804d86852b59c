using System.Net;

namespace Portcullis.Proxy.Configuration;

/// <summary>The addresses Portcullis accepts connections on. Changing them needs a restart.</summary>
public sealed record ListenConfig
{
    /// <summary>Plain HTTP: redirects to HTTPS (defaults 0.0.0.0:8080 and [::]:8080; 80 in production).</summary>
    public IReadOnlyList<IPEndPoint> Http { get; init; } = [new IPEndPoint(IPAddress.Any, 8080), new IPEndPoint(IPAddress.IPv6Any, 8080)];

    /// <summary>HTTPS with HTTP/1.1 and HTTP/2 (defaults 0.0.0.0:8443 and [::]:8443; 443 in production).</summary>
    public IReadOnlyList<IPEndPoint> Https { get; init; } = [new IPEndPoint(IPAddress.Any, 8443), new IPEndPoint(IPAddress.IPv6Any, 8443)];

    /// <summary>
    /// The HTTPS port clients reach, used in redirects. Null: the port of the first HTTPS address,
    /// which is wrong behind port mapping (Docker's 443:8443), hence the setting.
    /// </summary>
    public int? HttpsPort { get; init; }

    /// <summary>
    /// Every listener, HTTP and HTTPS, expects a PROXY protocol header (v1 or v2) first and
    /// believes it only from trusted_proxies (a load balancer in TCP mode sends it on every port
    /// it forwards). Off by default: the header must never be guessed (proxy-protocol.txt section 5).
    /// </summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>Where proxy_protocol is set, for the validator's message.</summary>
    public ConfigLocation ProxyProtocolLocation { get; init; }
}
