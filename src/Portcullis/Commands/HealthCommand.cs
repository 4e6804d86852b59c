using System.CommandLine;

namespace Portcullis.Commands;

/// <summary>
/// portcullis health URL: one GET, for a container HEALTHCHECK or a probe that has no curl (the
/// image holds nothing but portcullis). Exit 0 when an HTTP answer below 500 comes back in time,
/// 1 otherwise. Redirects are not followed: a 301 from the HTTP listener proves the process
/// accepts and answers, which is what a liveness check asks. Against the admin listener's
/// /healthz (200 live, 503 not) the same rule gives the right answer.
/// </summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The URL to GET, e.g. http://127.0.0.1:8080/ or http://127.0.0.1:9901/healthz." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 5 };
        var insecure = new Option<bool>("--insecure") { Description = "Accept any certificate for an https:// URL (a self-signed one on loopback)." };
        var command = new Command("health", "GET a URL once; exit 0 when it answers below 500 (a container health check).") { url, timeout, insecure };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"error: '{parse.GetValue(url)}' is not an http:// or https:// URL.");
                return 2;
            }

            var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false };
            if (parse.GetValue(insecure))
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            }

            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            try
            {
                using var response = await client.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var status = (int)response.StatusCode;
                Console.WriteLine($"{target}: {status}");
                return status < 500 ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"{target}: no answer: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
