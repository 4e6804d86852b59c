using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.ProtectedApp;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The one proxy provider (mode "forward auth, single application") and its application that
/// the emulated outpost serves. Its secrets are generated at start, like a freshly created
/// provider's.
/// </summary>
internal sealed class OutpostProvider
{
    public const string ApplicationSlug = "emulator-app";
    public const string ProviderName = "Portcullis emulator provider";
    public const string OutpostName = "Portcullis emulator outpost";

    /// <summary>What <c>X-Authentik-Meta-Version</c> says: the Go outpost's form, goauthentik.io/outpost/&lt;version&gt;.</summary>
    public const string Version = "goauthentik.io/outpost/2026.2.0-portcullis-emulator";

    /// <summary>authentik's UI default for a new provider's access_token_validity (hours=24).</summary>
    public static readonly TimeSpan AccessTokenValidity = TimeSpan.FromHours(24);

    public OutpostProvider(EmulatorSettings settings)
    {
        ExternalHost = settings.OutpostExternalHost;
        ExternalHostRaw = RawHost(settings.OutpostExternalHost.OriginalString) ?? settings.OutpostExternalHost.Authority;
        ClientId = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 40);
        ClientSecret = RandomNumberGenerator.GetBytes(64);
        CookieSecret = RandomNumberGenerator.GetBytes(32);
        // authentik_proxy_<first 8 hex of sha256(client_id)> since 2025.8 (goauthentik/authentik#14981).
        CookieName = "authentik_proxy_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientId)))[..8];
        SkipPathRegex = new Regex("^" + Regex.Escape(ProtectedAppPaths.Public(settings.WebPath)), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>external_host, e.g. https://app.company/.</summary>
    public Uri ExternalHost { get; }

    /// <summary>external_host's host[:port] as written: what Go's url.Parse(...).Host gives and what rd is compared with.</summary>
    public string ExternalHostRaw { get; }

    public string ClientId { get; }

    public byte[] ClientSecret { get; }

    public byte[] CookieSecret { get; }

    public string CookieName { get; }

    /// <summary>
    /// skip_path_regex: the protected app's public path. Matched against the URL path in
    /// single-application mode (mode_common.go <c>IsAllowlisted</c>).
    /// </summary>
    public Regex SkipPathRegex { get; }

    /// <summary>Secure iff external_host is https, whatever the request's scheme (application.go).</summary>
    public bool CookieSecure => ExternalHost.Scheme == Uri.UriSchemeHttps;

    /// <summary>external_host + /outpost.goauthentik.io/callback?X-authentik-auth-callback=true (application.go).</summary>
    public string RedirectUri => ExternalHostBase + OutpostPaths.Callback + "?" + OutpostPaths.CallbackQuery + "=true";

    /// <summary>external_host without a trailing slash.</summary>
    public string ExternalHostBase => ExternalHost.GetLeftPart(UriPartial.Authority);

    /// <summary>The issuer of the state JWT: goauthentik.io/outpost/&lt;client_id&gt; (oauth_state.go).</summary>
    public string StateIssuer => "goauthentik.io/outpost/" + ClientId;

    public bool IsAllowlisted(string path) => SkipPathRegex.IsMatch(path);

    /// <summary>
    /// <c>rd</c> as checkRedirectParam accepts it in single-application mode (oauth_state.go): a
    /// relative target gets external_host's scheme and host (since 2024.10, #11354); an absolute
    /// one must name external_host's host and port exactly; the scheme is not compared. Null
    /// when rejected: the post-login target is then empty and the user lands on external_host.
    /// </summary>
    public string? CheckRedirectParam(string? rd)
    {
        if (string.IsNullOrEmpty(rd))
        {
            return null;
        }

        if (rd.StartsWith('/') && !rd.StartsWith("//", StringComparison.Ordinal))
        {
            return ExternalHostBase + rd;
        }

        var host = RawHost(rd);
        return host is not null && host == ExternalHostRaw && Uri.TryCreate(rd, UriKind.Absolute, out _) ? rd : null;
    }

    /// <summary>The text between "scheme://" and the first "/", "?" or "#": Go's url.URL.Host, unnormalised.</summary>
    public static string? RawHost(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start <= 0)
        {
            return null;
        }

        start += 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? url[start..] : url[start..end];
        var at = authority.LastIndexOf('@');
        return at >= 0 ? authority[(at + 1)..] : authority;
    }
}
