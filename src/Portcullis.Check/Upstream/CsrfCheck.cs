using System.Net.Http.Headers;
using System.Text.Json;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Upstream;

/// <summary>
/// <c>csrf-origin</c>: the emulator's CSRF-protected POST, sent as a browser on the site's page
/// sends it (Origin, Referer, cookie and token header). Django compares the Origin with the
/// scheme and host it computed from the forwarded headers (authentik issues #3094, #4209).
/// </summary>
internal static class CsrfCheck
{
    private const string Path = "api/v3/emulator/csrf/";

    public static async Task<CheckResult> RunAsync(ProbeTarget target, ProbeClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = ProbeTimeout.Start(timeout, cancellationToken);
        try
        {
            using var tokenResponse = await client.Http.GetAsync(target.Https(Path), deadline.Token);
            var tokenBody = await tokenResponse.Content.ReadAsStringAsync(deadline.Token);
            if (!tokenResponse.IsSuccessStatusCode || ReadString(tokenBody, "token") is not { } token)
            {
                return CheckCatalog.Fail(CheckIds.CsrfOrigin, $"GET {Path} answered {(int)tokenResponse.StatusCode} {tokenResponse.ReasonPhrase}");
            }

            using var post = new HttpRequestMessage(HttpMethod.Post, target.Https(Path)) { Content = new ByteArrayContent([]) };
            post.Headers.TryAddWithoutValidation("Origin", target.Origin);
            post.Headers.Referrer = target.BaseUrl;
            post.Headers.TryAddWithoutValidation("Cookie", $"authentik_csrf={token}");
            post.Headers.TryAddWithoutValidation("X-authentik-CSRF", token);
            post.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.Http.SendAsync(post, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                return CheckCatalog.Pass(CheckIds.CsrfOrigin, $"POST with Origin: {target.Origin} accepted");
            }

            var reason = ReadString(body, "detail") ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            if (reason.Contains("CSRF token missing", StringComparison.Ordinal))
            {
                // The Origin passed; the token header the checker sent never arrived.
                reason += " (the X-authentik-CSRF header did not reach the upstream: a rule that strips X-authentik-* request headers also removes the one authentik's own UI sends)";
            }

            return CheckCatalog.Fail(CheckIds.CsrfOrigin, $"POST with Origin: {target.Origin} answered {(int)response.StatusCode}: {reason}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckCatalog.Fail(CheckIds.CsrfOrigin, ProbeTimeout.Describe(ex));
        }
    }

    private static string? ReadString(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
