using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;
using Portcullis.Check.WebSockets;

namespace Portcullis.Check.ForwardAuth;

/// <summary>
/// <c>check --forward-auth</c>: probes an application protected by authentik's proxy outpost
/// through any proxy, as a browser and as an attacker. The application is the emulator's
/// (<c>{web}api/v3/emulator/app/</c>), which reports the identity headers it received and who
/// sent them, and the outpost is the emulator's, whose sign-in page the checker can fill in.
/// </summary>
internal static class ForwardAuthChecks
{
    /// <summary>The emulator's protected app (src/Portcullis.Emulator/ProtectedApp/ProtectedAppPaths.cs).</summary>
    private const string AppPath = "api/v3/emulator/app/";

    private const string ForgedHost = "forged-host.portcullis-check.invalid";

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(ProbeTarget target, ProbeClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var nonce = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var app = target.Https(AppPath + "portcullis-check");
        var results = new List<CheckResult>();
        ForwardAuthBrowser Fresh() => new(client, timeout);

        // :: Step 1: no session: redirected, not served.
        var anonymous = await Fresh().GetAsync(app, cancellationToken);
        results.Add(Redirect(anonymous));

        // :: Step 2: sign in, then two more requests on the cookie alone.
        var username = "portcullis-check-" + nonce;
        var browser = Fresh();
        var signIn = await SignInFlow.RunAsync(browser, app, username, [], null, cancellationToken);
        var (signInResult, report) = await SignInAsync(signIn, browser, app, username, cancellationToken);
        results.Add(signInResult);
        var emulator = report is not null;
        var needs = signIn.Status == SignInStatus.Completed && !emulator
            ? "needs the Portcullis emulator as the application (its report of the headers it received)"
            : $"needs a completed sign-in with the Portcullis emulator as outpost and application ({signInResult.Status.ToString().ToUpperInvariant()} {CheckIds.ForwardAuthSignIn})";

        // :: Step 3: what the app received for the signed-in user.
        results.Add(report is null ? CheckCatalog.Skip(CheckIds.ForwardAuthUser, needs) : User(report, username));

        // :: Step 4: forged identity headers, with the session and on the public path without one.
        // A value of its own: the signed-in user's name must not count as forged.
        var forgedNonce = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var forgedUser = "forged-user-" + forgedNonce;
        var forgedGroups = "forged-admins-" + forgedNonce;
        KeyValuePair<string, string>[] forged = [new("X-authentik-username", forgedUser), new("X-authentik-groups", forgedGroups)];
        results.Add(report is null
            ? CheckCatalog.Skip(CheckIds.ForwardAuthForgedIdentity, needs)
            : Forged(CheckIds.ForwardAuthForgedIdentity, "signed in", await browser.GetAsync(app, cancellationToken, forged), forgedNonce));
        results.Add(!emulator
            ? CheckCatalog.Skip(CheckIds.ForwardAuthForgedIdentityPublic, needs)
            : Forged(CheckIds.ForwardAuthForgedIdentityPublic, "without a session, on the public path", await Fresh().GetAsync(target.Https(AppPath + "public/portcullis-check"), cancellationToken, forged), forgedNonce));

        // :: Step 5: forged X-Forwarded-Host and X-Original-URI / X-Forwarded-Uri.
        results.Add(await ForwardedHostAsync(app, Fresh, signIn.Status == SignInStatus.Completed, username, cancellationToken));
        results.Add(await OriginalUriAsync(target, app, Fresh, cancellationToken));

        // :: Step 6: the app's WebSocket, without and with the session.
        results.Add(await WebSocketAsync(target, client, browser, report is not null ? username : null, timeout, cancellationToken));

        // :: Step 7: the outpost unreachable (the emulator's outpost drops connections for this path).
        if (!emulator)
        {
            results.Add(CheckCatalog.Skip(CheckIds.ForwardAuthOutpostDown, needs));
        }
        else
        {
            var down = await browser.GetAsync(target.Https(AppPath + "outpost-down/portcullis-check"), cancellationToken);
            results.Add(down.IsServed
                ? CheckCatalog.Fail(CheckIds.ForwardAuthOutpostDown, $"with the outpost's connection dropped the app was served ({down.Describe()}): the proxy fails open")
                : CheckCatalog.Pass(CheckIds.ForwardAuthOutpostDown, $"with the outpost's connection dropped the proxy answered {down.Describe()}, not the app"));
        }

        return results;
    }

    private static CheckResult Redirect(ProbeResponse response)
    {
        var id = CheckIds.ForwardAuthRedirect;
        if (response.IsRedirect)
        {
            return CheckCatalog.Pass(id, $"GET {response.Url.AbsolutePath} without a session: {response.Describe()}");
        }

        if (response.IsServed)
        {
            var seen = AppReport.Parse(response) is { } report ? $"; the app saw {report.DescribeHeaders()}" : "";
            return CheckCatalog.Fail(id, $"GET {response.Url.AbsolutePath} without a session was served ({response.Status}){seen}");
        }

        return response.Status is 401 or 403
            ? CheckCatalog.Warn(id, $"GET {response.Url.AbsolutePath} without a session: {response.Describe()}: not served, but no redirect to sign in")
            : CheckCatalog.Fail(id, $"GET {response.Url.AbsolutePath} without a session: {response.Describe()}");
    }

    private static async Task<(CheckResult Result, AppReport? Report)> SignInAsync(SignInOutcome signIn, ForwardAuthBrowser browser, Uri app, string username, CancellationToken cancellationToken)
    {
        var id = CheckIds.ForwardAuthSignIn;
        switch (signIn.Status)
        {
            case SignInStatus.NotEmulator:
                return (CheckCatalog.Skip(id, $"{signIn.Reason}: {signIn.Trail}"), null);
            case SignInStatus.Failed or SignInStatus.ForgedHost:
                return (CheckCatalog.Fail(id, $"{signIn.Reason}: {signIn.Trail}"), null);
        }

        var final = signIn.Final!;
        if (final.Url.GetLeftPart(UriPartial.Path) != app.GetLeftPart(UriPartial.Path))
        {
            return (CheckCatalog.Fail(id, $"signed in, but landed on {final.Url} instead of {app} (the post-login target was lost): {signIn.Trail}"), null);
        }

        var cookie = browser.Cookies.Names(app).FirstOrDefault(name => name.StartsWith("authentik_proxy_", StringComparison.Ordinal));
        for (var again = 1; again <= 2; again++)
        {
            var next = await browser.GetAsync(app, cancellationToken);
            if (!next.IsServed)
            {
                return (CheckCatalog.Fail(id, $"signed in ({signIn.Hops.Count} requests), but request {again} after it answered {next.Describe()}: the cookie did not stick (cookies kept for {app.Host}: {Names(browser, app)})"), null);
            }
        }

        var report = AppReport.Parse(final);
        if (report is not null && report.SessionUser != username)
        {
            return (CheckCatalog.Fail(id, $"signed in as {username}, but the app's request named the outpost session of {report.SessionUser ?? "nobody"}: the proxy does not pass the browser's cookie on"), report);
        }

        return (CheckCatalog.Pass(id, $"signed in as {username} in {signIn.Hops.Count} requests, cookie {cookie ?? "(none named authentik_proxy_*)"} kept, two more requests served: {signIn.Trail}"), report);
    }

    private static CheckResult User(AppReport report, string username)
    {
        var id = CheckIds.ForwardAuthUser;
        var missing = report.MissingHeaders.Count == 0 ? "all twelve identity headers arrived" : $"not passed on: {string.Join(", ", report.MissingHeaders)}";
        return report.User == username
            ? CheckCatalog.Pass(id, $"the app received X-Authentik-Username: {username} from the outpost; {missing}")
            : CheckCatalog.Fail(id, $"signed in as {username}, the app received {report.DescribeHeaders()}");
    }

    private static CheckResult Forged(string id, string how, ProbeResponse response, string nonce)
    {
        if (!response.IsServed)
        {
            return response.Status is 0 or >= 500
                ? CheckCatalog.Fail(id, $"{how}, with forged X-authentik-username/-groups: {response.Describe()}")
                : CheckCatalog.Pass(id, $"{how}, with forged X-authentik-username/-groups: {response.Describe()}; nothing reached the app");
        }

        if (AppReport.Parse(response) is not { } report)
        {
            return CheckCatalog.Skip(id, $"{how}: the answer is not the Portcullis emulator's app report ({response.Describe()})");
        }

        var reached = report.LinesWith(nonce);
        return reached.Count > 0
            ? CheckCatalog.Fail(id, $"{how}, the forged values reached the app: {string.Join("; ", reached)}")
            : CheckCatalog.Pass(id, $"{how}, the forged values did not reach the app; it saw {report.DescribeHeaders()}");
    }

    private static async Task<CheckResult> ForwardedHostAsync(Uri app, Func<ForwardAuthBrowser> fresh, bool canSignIn, string username, CancellationToken cancellationToken)
    {
        var id = CheckIds.ForwardAuthForwardedHost;
        KeyValuePair<string, string>[] forged = [new("X-Forwarded-Host", ForgedHost)];
        var anonymous = await fresh().GetAsync(app, cancellationToken, forged);
        if (anonymous.IsServed)
        {
            return CheckCatalog.Fail(id, $"with X-Forwarded-Host: {ForgedHost} and no session the app was served ({anonymous.Status})");
        }

        if (anonymous.Location is { } location && string.Equals(location.Host, ForgedHost, StringComparison.OrdinalIgnoreCase))
        {
            return CheckCatalog.Fail(id, $"with X-Forwarded-Host: {ForgedHost} the browser was redirected to {location}");
        }

        if (!canSignIn)
        {
            return CheckCatalog.Pass(id, $"with X-Forwarded-Host: {ForgedHost} and no session: {anonymous.Describe()}, not served (where sign-in returns to needs a completed sign-in)");
        }

        var signIn = await SignInFlow.RunAsync(fresh(), app, username, forged, ForgedHost, cancellationToken);
        return signIn.Status switch
        {
            SignInStatus.ForgedHost => CheckCatalog.Fail(id,
                $"a sign-in started with X-Forwarded-Host: {ForgedHost} returned to the forged host, an open redirect (the outpost builds its post-login target from X-Forwarded-Host): {signIn.Trail}"),
            SignInStatus.Completed => CheckCatalog.Pass(id, $"with X-Forwarded-Host: {ForgedHost}: not served without a session, and sign-in returned to {signIn.Final!.Url.Authority}"),
            _ => CheckCatalog.Fail(id, $"a sign-in started with X-Forwarded-Host: {ForgedHost} did not complete, one without it did: {signIn.Reason}"),
        };
    }

    private static async Task<CheckResult> OriginalUriAsync(ProbeTarget target, Uri app, Func<ForwardAuthBrowser> fresh, CancellationToken cancellationToken)
    {
        var publicPath = target.Https(AppPath + "public/portcullis-check").AbsolutePath;
        (string Header, string Value)[] probes =
        [
            ("X-Original-URI", "/outpost.goauthentik.io/portcullis-check"),
            ("X-Original-URI", publicPath),
            ("X-Forwarded-Uri", publicPath),
        ];
        var answers = new List<string>();
        foreach (var (header, value) in probes)
        {
            var response = await fresh().GetAsync(app, cancellationToken, KeyValuePair.Create(header, value));
            if (response.IsServed)
            {
                return CheckCatalog.Fail(CheckIds.ForwardAuthOriginalUri,
                    $"GET {app.AbsolutePath} without a session but with {header}: {value} was served ({response.Status}): the outpost judged the client's URL instead of the request's");
            }

            answers.Add($"{header}: {value} → {response.Status}");
        }

        return CheckCatalog.Pass(CheckIds.ForwardAuthOriginalUri, $"not served without a session: {string.Join("; ", answers)}");
    }

    private static async Task<CheckResult> WebSocketAsync(ProbeTarget target, ProbeClient client, ForwardAuthBrowser browser, string? username, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = CheckIds.ForwardAuthWebSocket;
        var uri = target.Wss(AppPath + "ws/");
        using (var deadline = ProbeTimeout.Start(timeout, cancellationToken))
        {
            try
            {
                await using var opened = await WebSocketProbe.ConnectAsync(uri, HttpVersion.Version11, client.Invoker, deadline.Token);
                return CheckCatalog.Fail(id, $"{uri.AbsolutePath} opened a WebSocket without a session: the upgrade request skipped forward auth");
            }
            catch (WebSocketHandshakeException)
            {
                // Refused without a session, as it must be.
            }
        }

        if (username is null)
        {
            return CheckCatalog.Pass(id, $"{uri.AbsolutePath} refused a WebSocket without a session (with one needs a completed sign-in with the Portcullis emulator)");
        }

        using var withSession = ProbeTimeout.Start(timeout, cancellationToken);
        try
        {
            var cookie = browser.Cookies.Header(target.BaseUrl) ?? "";
            await using var probe = await WebSocketProbe.ConnectAsync(uri, HttpVersion.Version11, client.Invoker, withSession.Token, [KeyValuePair.Create("Cookie", cookie)]);
            var hello = await probe.NextTextAsync(withSession.Token);
            var user = HelloUser(hello);
            if (!await probe.EchoAsync(withSession.Token))
            {
                return CheckCatalog.Fail(id, "refused without a session; with it the WebSocket opened but ended before the echo");
            }

            return user == username
                ? CheckCatalog.Pass(id, $"refused without a session; with it the WebSocket opened as {username} and echoed")
                : CheckCatalog.Fail(id, $"refused without a session; with it the WebSocket opened, but the app saw user {user ?? "nobody"} instead of {username}");
        }
        catch (WebSocketHandshakeException ex)
        {
            return CheckCatalog.Fail(id, $"refused without a session, and with the session too: {ex.Message}");
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckCatalog.Fail(id, $"refused without a session; with it: {ProbeTimeout.Describe(ex)}");
        }
    }

    private static string? HelloUser(string? hello)
    {
        try
        {
            using var document = JsonDocument.Parse(hello ?? "");
            return document.RootElement.TryGetProperty("args", out var args) && args.TryGetProperty("user", out var user) ? user.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Names(ForwardAuthBrowser browser, Uri app) =>
        browser.Cookies.Names(app) is { Count: > 0 } names ? string.Join(", ", names) : "none";
}
