using System.Net;
using Portcullis.Check.Catalog;
using Portcullis.Check.ForwardAuth;
using Portcullis.Check.Http;
using Portcullis.Check.Probing;
using Portcullis.Check.Tls;
using Portcullis.Check.Upstream;
using Portcullis.Check.WebSockets;

namespace Portcullis.Check;

/// <summary>
/// Probes a deployment from the outside, as a browser and an attacker would, and reports
/// requirement by requirement what the identity provider behind the proxy actually sees.
/// Works in front of any proxy; the upstream-side checks need the Portcullis emulator as the
/// upstream, or a real authentik with an API token for its system view.
/// </summary>
public static class DeploymentChecker
{
    private const string NeedsSystemView = "needs the Portcullis emulator or --authentik-token";

    /// <summary>Runs every check; a probe that fails becomes a FAIL, never an exception.</summary>
    /// <exception cref="ArgumentException">The URL is not https://, or the CA file holds no certificate.</exception>
    public static async Task<CheckReport> RunAsync(CheckOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = new ProbeTarget(options);
        if (options.ForwardAuth)
        {
            using var forwardAuthClient = new ProbeClient(options.Timeout);
            return new CheckReport(await ForwardAuthChecks.RunAsync(target, forwardAuthClient, options.Timeout, cancellationToken));
        }

        var trust = CertificateTrust.Create(options.CaFile);
        var results = new List<CheckResult>();

        // :: Step 1: TLS, on raw connections (versions, certificate, ALPN).
        var tls = await TlsChecks.RunAsync(target, options, trust, cancellationToken);
        results.AddRange(tls.Results);

        // :: Step 2: the way in: plain HTTP redirects, HTTPS sets HSTS.
        results.Add(await RedirectChecks.HttpRedirectAsync(target, options.Timeout, cancellationToken));
        using var client = new ProbeClient(options.Timeout);
        results.Add(await HstsAsync(target, client, options.Timeout, cancellationToken));

        // :: Step 3: what the upstream saw. The token goes only to a verified server: it is an admin credential.
        var token = options.AuthentikToken is not null && (tls.CertificateTrusted || options.Insecure) ? options.AuthentikToken : null;
        var systemView = new SystemViewClient(target, client, token, options.Timeout);
        var baseline = await systemView.FetchAsync([], cancellationToken);
        var emulator = baseline.Snapshot?.IsEmulator == true;
        if (baseline.Snapshot is { } view)
        {
            results.Add(ForwardingChecks.ForwardedProto(view));
            results.Add(ForwardingChecks.HostPort(view, target));
            results.Add(ForwardingChecks.ClientIp(view, client.LocalAddress));

            // :: Step 4: forged client-IP headers, one per request (authentik takes the leftmost entry up to 2026.5).
            foreach (var (id, header) in SpoofProbes)
            {
                var fetch = await systemView.FetchAsync([KeyValuePair.Create(header, ForgedValue(header))], cancellationToken);
                results.Add(ForwardingChecks.Spoof(id, header, ForgedValue(header), fetch));
            }

            results.Add(ForwardingChecks.UpstreamHttp11(view));

            // :: Step 5: a browser-sized cookie jar, and the CSRF-protected POST that breaks when scheme or host are lost.
            var cookies = LargeCookieCheck.BuildCookies();
            var cookieFetch = await systemView.FetchAsync([KeyValuePair.Create("Cookie", string.Join("; ", cookies))], cancellationToken);
            results.Add(LargeCookieCheck.Judge(cookies, cookieFetch));
            results.Add(emulator
                ? await CsrfCheck.RunAsync(target, client, options.Timeout, cancellationToken)
                : CheckCatalog.Skip(CheckIds.CsrfOrigin, "needs the Portcullis emulator (its CSRF endpoint)"));
        }
        else
        {
            var why = $"GET {target.WebPath}{SystemViewClient.Path} answered {baseline.Describe()}";
            if (options.AuthentikToken is not null && token is null)
            {
                why += "; the token was not sent because the certificate did not verify (use --insecure to send it anyway)";
            }

            foreach (var id in SystemViewDependents)
            {
                results.Add(baseline.IsBroken ? CheckCatalog.Fail(id, why) : CheckCatalog.Skip(id, $"{NeedsSystemView}: {why}"));
            }
        }

        // :: Step 6: WebSockets over both HTTP versions, and (long mode) idle past nginx's 60 s.
        var http11 = await WebSocketChecks.RoundTripAsync(CheckIds.WebSocketHttp11, HttpVersion.Version11, target, client, emulator, options.Timeout, cancellationToken);
        var http2 = await WebSocketChecks.RoundTripAsync(CheckIds.WebSocketHttp2, HttpVersion.Version20, target, client, emulator, options.Timeout, cancellationToken);
        results.Add(http11);
        results.Add(http2);
        results.Add(options.Long
            ? await WebSocketChecks.IdleAsync(http2.Status == CheckStatus.Pass ? HttpVersion.Version20 : HttpVersion.Version11, target, client, emulator, options, cancellationToken)
            : CheckCatalog.Skip(CheckIds.WebSocketIdle, $"run with --long to hold an idle WebSocket for {options.IdleDuration.TotalSeconds:0} s"));

        return new CheckReport(results.OrderBy(result => Order(result.Id)).ToList());
    }

    private static readonly (string Id, string Header)[] SpoofProbes =
    [
        (CheckIds.ClientIpSpoofXff, "X-Forwarded-For"),
        (CheckIds.ClientIpSpoofXRealIp, "X-Real-IP"),
        (CheckIds.ClientIpSpoofForwarded, "Forwarded"),
        (CheckIds.ClientIpSpoofUnderscore, "X_Forwarded_For"),
    ];

    private static readonly string[] SystemViewDependents =
    [
        CheckIds.ForwardedProto, CheckIds.HostPort, CheckIds.ClientIp,
        CheckIds.ClientIpSpoofXff, CheckIds.ClientIpSpoofXRealIp, CheckIds.ClientIpSpoofForwarded, CheckIds.ClientIpSpoofUnderscore,
        CheckIds.UpstreamHttp11, CheckIds.LargeCookie, CheckIds.CsrfOrigin,
    ];

    private static string ForgedValue(string header) =>
        header == "Forwarded" ? $"for={ForwardingChecks.ForgedAddress}" : ForwardingChecks.ForgedAddress;

    private static int Order(string id)
    {
        var index = CheckIds.All.ToList().IndexOf(id);
        return index < 0 ? int.MaxValue : index;
    }

    private static async Task<CheckResult> HstsAsync(ProbeTarget target, ProbeClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = ProbeTimeout.Start(timeout, cancellationToken);
        try
        {
            using var response = await client.Http.GetAsync(target.BaseUrl, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var header = response.Headers.TryGetValues("Strict-Transport-Security", out var values) ? string.Join(", ", values) : null;
            return RedirectChecks.Hsts(header, $"GET {target.BaseUrl} ({(int)response.StatusCode})");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckCatalog.Fail(CheckIds.Hsts, $"GET {target.BaseUrl}: {ProbeTimeout.Describe(ex)}");
        }
    }
}
