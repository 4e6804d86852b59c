using System.Globalization;
using System.Net;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Http;

/// <summary><c>http-redirect</c> and <c>hsts</c>: how a browser that typed the name gets to HTTPS and stays there.</summary>
internal static class RedirectChecks
{
    /// <summary>A year, the minimum the HSTS preload list accepts.</summary>
    private const long MinimumMaxAge = 31_536_000;

    public static async Task<CheckResult> HttpRedirectAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = target.WebPath + "-/health/live/?portcullis-check=redirect";
        var expected = new Uri(target.Origin + path);
        // The browser names the site's host, with the HTTP port when it is not 80.
        var host = target.HttpUrl.IsDefaultPort ? target.BaseUrl.Host : $"{target.BaseUrl.Host}:{target.HttpUrl.Port}";

        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false, ConnectTimeout = timeout };
        using var client = new HttpClient(handler) { Timeout = timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target.HttpUrl, path));
        request.Headers.Host = host;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckCatalog.Fail(CheckIds.HttpRedirect, $"http://{host}{path} via {target.HttpUrl.Authority}: {ProbeTimeout.Describe(ex)}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var location = response.Headers.Location;
            if (location is null || status is < 300 or > 399)
            {
                return CheckCatalog.Fail(CheckIds.HttpRedirect, $"http://{host}{path} answered {status} {response.ReasonPhrase} instead of a redirect to {expected}");
            }

            var absolute = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            var summary = $"http://{host}{path} answered {status} -> {absolute.OriginalString}";
            if (!SameUrl(absolute, expected))
            {
                return CheckCatalog.Fail(CheckIds.HttpRedirect, $"{summary}, expected {expected}{Difference(absolute, expected)}");
            }

            return status is (int)HttpStatusCode.MovedPermanently or (int)HttpStatusCode.PermanentRedirect
                ? CheckCatalog.Pass(CheckIds.HttpRedirect, summary)
                : CheckCatalog.Warn(CheckIds.HttpRedirect, $"{summary}: a temporary redirect; browsers ask again every time (use 301 or 308)");
        }
    }

    /// <summary>Judges the Strict-Transport-Security header of an HTTPS response.</summary>
    public static CheckResult Hsts(string? header, string where)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return CheckCatalog.Fail(CheckIds.Hsts, $"{where} has no Strict-Transport-Security header");
        }

        long? maxAge = null;
        foreach (var directive in header.Split(';', StringSplitOptions.TrimEntries))
        {
            var parts = directive.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Equals("max-age", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(parts[1].Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                maxAge = seconds;
            }
        }

        if (maxAge is null)
        {
            return CheckCatalog.Fail(CheckIds.Hsts, $"Strict-Transport-Security: {header} has no valid max-age");
        }

        return maxAge >= MinimumMaxAge
            ? CheckCatalog.Pass(CheckIds.Hsts, $"Strict-Transport-Security: {header}")
            : CheckCatalog.Warn(CheckIds.Hsts, $"Strict-Transport-Security: {header}: max-age below one year ({MinimumMaxAge})");
    }

    private static bool SameUrl(Uri actual, Uri expected) =>
        actual.Scheme == expected.Scheme
        && string.Equals(actual.IdnHost, expected.IdnHost, StringComparison.OrdinalIgnoreCase)
        && actual.Port == expected.Port
        && actual.PathAndQuery == expected.PathAndQuery;

    private static string Difference(Uri actual, Uri expected)
    {
        if (actual.Scheme != expected.Scheme)
        {
            return $" (scheme {actual.Scheme}, not https)";
        }

        if (actual.Port != expected.Port)
        {
            return $" (port {actual.Port} instead of {expected.Port}: the redirect does not name the HTTPS port)";
        }

        return actual.PathAndQuery != expected.PathAndQuery ? " (the path or query is lost)" : " (another host)";
    }
}
