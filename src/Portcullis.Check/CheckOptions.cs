namespace Portcullis.Check;

/// <summary>
/// What <see cref="DeploymentChecker"/> probes and how. Immutable; one instance per run.
/// </summary>
public sealed record CheckOptions
{
    /// <summary>
    /// The public HTTPS URL users open, e.g. <c>https://sso.domain.tld/</c>; its path is the
    /// web path (<c>https://domain.tld/authentik/</c> when authentik runs under a subpath).
    /// </summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Where plain HTTP is served, when not port 80 of the same host (e.g. <c>http://127.0.0.1:8080</c>).
    /// The probe still names <see cref="Url"/>'s host, as a browser typing the name would.
    /// Default: <c>http://</c> + the host of <see cref="Url"/> on port 80.
    /// </summary>
    public Uri? HttpUrl { get; init; }

    /// <summary>Also hold an idle WebSocket for <see cref="IdleDuration"/> (the <c>websocket-idle</c> check). Default off.</summary>
    public bool Long { get; init; }

    /// <summary>
    /// How long <c>websocket-idle</c> keeps a WebSocket quiet. Default 65 s: past nginx's 60 s
    /// <c>proxy_read_timeout</c>, which closes authentik's idle UI sockets.
    /// </summary>
    public TimeSpan IdleDuration { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// An authentik API token with the "view system info" permission: lets the checks that read
    /// the system view run against a real authentik. Sent only over a verified certificate
    /// (or with <see cref="Insecure"/>). Default none.
    /// </summary>
    public string? AuthentikToken { get; init; }

    /// <summary>
    /// Accept any certificate: certificate problems become WARN instead of FAIL. For test
    /// deployments with self-signed certificates only. Default off.
    /// </summary>
    public bool Insecure { get; init; }

    /// <summary>PEM file of CA (or self-signed) certificates to trust instead of the system store. Default none.</summary>
    public string? CaFile { get; init; }

    /// <summary>
    /// Check forward auth instead of the identity provider's own site: <see cref="Url"/> is an
    /// application protected by authentik's proxy outpost through the proxy (auth_request,
    /// forward_auth, forwardAuth). Runs only the <see cref="CheckIds.ForwardAuth"/> checks; all
    /// but the first need <c>portcullis emulate</c> as both outpost and application. Default off.
    /// </summary>
    public bool ForwardAuth { get; init; }

    /// <summary>Limit for each probe (connect, handshake, request). Default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
