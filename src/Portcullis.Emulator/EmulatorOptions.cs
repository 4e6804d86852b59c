namespace Portcullis.Emulator;

/// <summary>
/// What the authentik emulator listens on and how it judges forwarded headers.
/// Immutable; checked once by <see cref="EmulatorServer.StartAsync"/>, which reports every
/// problem at once and refuses to start on any.
/// </summary>
public sealed record EmulatorOptions
{
    /// <summary>
    /// Plain HTTP listeners as <c>IP:port</c> (<c>[v6]:port</c> for IPv6); port 0 picks a free port.
    /// HTTP/1.1 only, like authentik's :9000. Default <c>0.0.0.0:9000</c>.
    /// </summary>
    public IReadOnlyList<string> HttpAddresses { get; init; } = ["0.0.0.0:9000"];

    /// <summary>
    /// HTTPS listeners as <c>IP:port</c>; HTTP/1.1 and HTTP/2 by ALPN, with a self-signed
    /// certificate generated at start like authentik's :9443. Default <c>0.0.0.0:9443</c>.
    /// </summary>
    public IReadOnlyList<string> HttpsAddresses { get; init; } = ["0.0.0.0:9443"];

    /// <summary>
    /// Peers whose X-Forwarded-For, X-Real-IP, Forwarded, X-Forwarded-Proto and X-Forwarded-Host
    /// are believed (authentik's <c>listen.trusted_proxy_cidrs</c>). Default is authentik's own
    /// default. Widening it to 0.0.0.0/0 lets any client choose its IP, scheme and host.
    /// </summary>
    public IReadOnlyList<string> TrustedProxyCidrs { get; init; } =
        ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fe80::/10", "::1/128"];

    /// <summary>Which authentik generation's client-IP rule to emulate. Default <see cref="ClientIpMode.Leftmost"/>.</summary>
    public ClientIpMode ClientIp { get; init; } = ClientIpMode.Leftmost;

    /// <summary>
    /// authentik's <c>AUTHENTIK_WEB__PATH</c>: every route is mounted under it, and when it is
    /// not "/" a request for "/" is redirected there with a 302. Must start and end with "/".
    /// Default "/".
    /// </summary>
    public string WebPath { get; init; } = "/";

    /// <summary>Bearer token that <c>{web}ws/outpost/&lt;uuid&gt;/</c> requires. Default <c>emulator-outpost-token</c>.</summary>
    public string OutpostToken { get; init; } = "emulator-outpost-token";

    /// <summary>How often a connected WebSocket receives a HELLO message. Default 10 s, like authentik's outposts.</summary>
    public TimeSpan HelloInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The emulated proxy outpost's one application (forward auth, single application): its
    /// provider's <c>external_host</c>, the URL users open through the reverse proxy, e.g.
    /// <c>https://app.company</c> or <c>https://localhost:8443</c>. The callback URL, the
    /// check of <c>rd</c> (host and port must match) and the cookie's <c>Secure</c> flag come
    /// from it. Default <c>https://localhost</c>.
    /// </summary>
    public string OutpostExternalHost { get; init; } = "https://localhost";

    /// <summary>
    /// Where a browser reaches the emulator itself for the sign-in page (authentik's
    /// <c>AUTHENTIK_HOST_BROWSER</c>), e.g. <c>http://127.0.0.1:9000</c>. Default null: the
    /// first plain-HTTP listener (else HTTPS), with 0.0.0.0 and [::] read as loopback.
    /// </summary>
    public string? AuthentikHostBrowser { get; init; }
}
