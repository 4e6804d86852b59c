using System.Net;
using System.Text.RegularExpressions;

namespace Portcullis.Check.ForwardAuth;

/// <summary>
/// Signs in through the proxy as a browser does: the application's redirect, the outpost's
/// <c>/start</c> and authorize redirects, the emulator's sign-in form (a user name), the
/// callback that sets the outpost's cookie, and back to the application.
/// </summary>
internal static partial class SignInFlow
{
    /// <summary>The emulator's form id (src/Portcullis.Emulator/Outpost/SignInEndpoints.cs).</summary>
    private const string FormId = "portcullis-emulator-sign-in";

    /// <summary>More redirects than a sign-in needs (nginx's takes five): beyond it, a loop.</summary>
    private const int MaxHops = 12;

    /// <param name="browser">The browser, with whatever session it has.</param>
    /// <param name="start">The application URL to open.</param>
    /// <param name="username">The user to sign in as.</param>
    /// <param name="firstHeaders">Headers a client adds to the first request only (forged ones).</param>
    /// <param name="forgedHost">A host the probe forged: a redirect there ends the attempt.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    public static async Task<SignInOutcome> RunAsync(ForwardAuthBrowser browser, Uri start, string username, KeyValuePair<string, string>[] firstHeaders, string? forgedHost, CancellationToken cancellationToken)
    {
        var hops = new List<string>();
        var url = start;
        var posted = false;
        var response = await browser.GetAsync(url, cancellationToken, firstHeaders);
        for (var hop = 0; ; hop++)
        {
            hops.Add($"GET {Short(url)} ({response.Describe()})");
            if (hop >= MaxHops)
            {
                return new SignInOutcome(SignInStatus.Failed, $"more than {MaxHops} redirects: a redirect loop (per-replica outpost sessions, goauthentik/authentik#6883; a cookie that does not come back, #14805)", hops, response);
            }

            if (response.Status == 0)
            {
                return new SignInOutcome(SignInStatus.Failed, $"{Short(url)}: {response.Describe()}", hops, response);
            }

            if (response.IsRedirect)
            {
                url = response.Location!;
                if (forgedHost is not null && string.Equals(url.Host, forgedHost, StringComparison.OrdinalIgnoreCase))
                {
                    return new SignInOutcome(SignInStatus.ForgedHost, $"the browser was sent to {url}, the host the client forged", hops, response);
                }

                response = await browser.GetAsync(url, cancellationToken);
                continue;
            }

            if (IsCallback(url) && response.Status == (int)HttpStatusCode.BadRequest)
            {
                return new SignInOutcome(SignInStatus.Failed,
                    "the outpost's callback answered 400: the session cookie set before sign-in did not come back with it (mismatched session ID, goauthentik/authentik#10848, #12008)",
                    hops, response);
            }

            if (response.IsServed && response.Body.Contains($"id=\"{FormId}\"", StringComparison.Ordinal))
            {
                if (posted)
                {
                    return new SignInOutcome(SignInStatus.Failed, "the sign-in form came back after it was posted", hops, response);
                }

                posted = true;
                var form = HiddenInputs(response.Body).Append(KeyValuePair.Create("username", username)).ToList();
                response = await browser.PostFormAsync(url, form, cancellationToken);
                hops.Add($"POST {Short(url)} username={username} ({response.Describe()})");
                if (!response.IsRedirect)
                {
                    return new SignInOutcome(SignInStatus.Failed, $"posting the sign-in form answered {response.Describe()}", hops, response);
                }

                url = response.Location!;
                response = await browser.GetAsync(url, cancellationToken);
                continue;
            }

            if (!posted)
            {
                return response.IsServed && hop > 0
                    ? new SignInOutcome(SignInStatus.NotEmulator, $"the sign-in page {Short(url)} is not the Portcullis emulator's (a real authentik needs a person to sign in)", hops, response)
                    : new SignInOutcome(SignInStatus.Failed, $"no way to a sign-in page: {Short(url)} answered {response.Describe()}", hops, response);
            }

            return response.IsServed
                ? new SignInOutcome(SignInStatus.Completed, "", hops, response)
                : new SignInOutcome(SignInStatus.Failed, $"after sign-in {Short(url)} answered {response.Describe()}", hops, response);
        }
    }

    private static bool IsCallback(Uri url) => url.AbsolutePath == "/outpost.goauthentik.io/callback";

    private static IEnumerable<KeyValuePair<string, string>> HiddenInputs(string html) =>
        HiddenInput().Matches(html).Select(match => KeyValuePair.Create(WebUtility.HtmlDecode(match.Groups["name"].Value), WebUtility.HtmlDecode(match.Groups["value"].Value)));

    private static string Short(Uri url)
    {
        var text = url.GetLeftPart(UriPartial.Path);
        return url.Query.Length > 0 ? text + "?…" : text;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenInput();
}
