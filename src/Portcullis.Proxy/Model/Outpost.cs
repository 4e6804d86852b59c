namespace Portcullis.Proxy.Model;

/// <summary>
/// authentik's proxy outpost that a route's requests are checked against (forward auth), and the
/// pooled client that reaches it: kept alive like an upstream's, so a check costs no handshake.
/// </summary>
public sealed class Outpost(Uri baseUrl, UpstreamClient client, TimeSpan timeout)
{
    /// <summary>The paths the outpost serves on an app's own host (start, callback, sign_out) and its auth endpoints.</summary>
    public const string PathPrefix = "/outpost.goauthentik.io";

    /// <summary>The outpost's base URL without a trailing slash, e.g. http://authentik-server:9000.</summary>
    public string BaseUrl { get; } = baseUrl.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// The nginx endpoint: it reads the original URL from X-Original-URL and answers 200 with the
    /// identity headers or 401 (authentik internal/outpost/proxyv2/mode_forward.go, forwardHandleNginx).
    /// </summary>
    public Uri AuthUrl { get; } = new(baseUrl.GetLeftPart(UriPartial.Authority) + PathPrefix + "/auth/nginx");

    public UpstreamClient Client { get; } = client;

    public TimeSpan Timeout { get; } = timeout;
}
