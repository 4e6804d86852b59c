using System.Net;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Configuration;

/// <summary>
/// Checks <see cref="EmulatorOptions"/> and turns them into <see cref="EmulatorSettings"/>.
/// Collects every problem before failing, so one start attempt shows them all.
/// </summary>
internal static class EmulatorOptionsValidator
{
    public static IReadOnlyList<string> Validate(EmulatorOptions options, out EmulatorSettings? settings)
    {
        var errors = new List<string>();
        var http = ParseEndpoints(options.HttpAddresses, nameof(EmulatorOptions.HttpAddresses), errors);
        var https = ParseEndpoints(options.HttpsAddresses, nameof(EmulatorOptions.HttpsAddresses), errors);
        if (http.Count == 0 && https.Count == 0 && errors.Count == 0)
        {
            errors.Add($"{nameof(EmulatorOptions.HttpAddresses)} and {nameof(EmulatorOptions.HttpsAddresses)} are both empty: the emulator would listen nowhere.");
        }

        var networks = new List<IPNetwork>();
        for (var i = 0; i < options.TrustedProxyCidrs.Count; i++)
        {
            var cidr = options.TrustedProxyCidrs[i];
            if (cidr is null || !TrustedProxyNetworks.TryParseCidr(cidr, out var network))
            {
                errors.Add($"{nameof(EmulatorOptions.TrustedProxyCidrs)}[{i}] \"{cidr}\" is not a CIDR; write it as 10.0.0.0/8 or fd00::/8.");
                continue;
            }

            networks.Add(network);
        }

        if (!Enum.IsDefined(options.ClientIp))
        {
            errors.Add($"{nameof(EmulatorOptions.ClientIp)} {(int)options.ClientIp} is not a {nameof(ClientIpMode)}.");
        }

        // authentik's web.path is documented with a leading and a trailing slash; other forms
        // make its own routes ambiguous, so refuse them rather than guess.
        var webPath = options.WebPath ?? "";
        if (!webPath.StartsWith('/') || !webPath.EndsWith('/') || webPath.Contains("//") || webPath.IndexOfAny(['?', '#', '{', '}', ' ']) >= 0)
        {
            errors.Add($"{nameof(EmulatorOptions.WebPath)} \"{webPath}\" must start and end with \"/\", like /authentik/.");
        }

        if (string.IsNullOrEmpty(options.OutpostToken))
        {
            errors.Add($"{nameof(EmulatorOptions.OutpostToken)} is empty: the outpost WebSocket would accept \"Bearer \".");
        }

        if (options.HelloInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(EmulatorOptions.HelloInterval)} {options.HelloInterval} must be positive.");
        }

        var externalHost = ParseHttpUrl(options.OutpostExternalHost, nameof(EmulatorOptions.OutpostExternalHost), "https://app.company", errors);
        var hostBrowser = options.AuthentikHostBrowser is null
            ? null
            : ParseHttpUrl(options.AuthentikHostBrowser, nameof(EmulatorOptions.AuthentikHostBrowser), "http://127.0.0.1:9000", errors);

        settings = errors.Count > 0
            ? null
            : new EmulatorSettings(http, https, new TrustedProxyNetworks(networks), options.ClientIp, webPath, options.OutpostToken, options.HelloInterval, externalHost!, hostBrowser);
        return errors;
    }

    /// <summary>
    /// An http(s) URL with a host and nothing after it: authentik compares <c>rd</c> with the
    /// external host's host and port and appends its own paths to it (goauthentik/authentik
    /// internal/outpost/proxyv2/application/oauth_state.go).
    /// </summary>
    private static Uri? ParseHttpUrl(string? text, string name, string example, List<string> errors)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0
            || uri.AbsolutePath != "/"
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0)
        {
            errors.Add($"{name} \"{text}\" is not an http(s) URL of a host without a path; write it as {example}.");
            return null;
        }

        return uri;
    }

    private static List<IPEndPoint> ParseEndpoints(IReadOnlyList<string> addresses, string name, List<string> errors)
    {
        var endpoints = new List<IPEndPoint>();
        for (var i = 0; i < addresses.Count; i++)
        {
            var text = addresses[i]?.Trim() ?? "";
            // IPEndPoint.TryParse takes "0.0.0.0" as port 0; a listener without a written port is
            // more likely a typo than a wish for a random one.
            var hasPort = text.LastIndexOf(':') > text.LastIndexOf(']') && (text.StartsWith('[') || text.Count(c => c == ':') == 1);
            if (!hasPort || !IPEndPoint.TryParse(text, out var endpoint))
            {
                errors.Add($"{name}[{i}] \"{addresses[i]}\" is not IP:port; write 0.0.0.0:9443, 127.0.0.1:0 or [::]:9443.");
                continue;
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }
}
