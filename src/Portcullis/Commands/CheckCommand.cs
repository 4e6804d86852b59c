using System.CommandLine;
using Portcullis.Check;

namespace Portcullis.Commands;

/// <summary>portcullis check: probe a deployment and report, requirement by requirement, what authentik sees.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The public HTTPS URL users open, e.g. https://sso.domain.tld/ (with the web path, if any)." };
        var httpUrl = new Option<string?>("--http-url") { Description = "Where plain HTTP is served, when not port 80 of the same host, e.g. http://127.0.0.1:8080." };
        var longRun = new Option<bool>("--long") { Description = "Also hold an idle WebSocket for 65 s (past nginx's 60 s proxy_read_timeout)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var insecure = new Option<bool>("--insecure") { Description = "Accept any certificate: certificate problems become WARN instead of FAIL." };
        var token = new Option<string?>("--authentik-token") { Description = "API token for a real authentik's system view (sent only over a verified certificate or with --insecure)." };
        var forwardAuth = new Option<bool>("--forward-auth") { Description = "URL is an app behind forward auth (authentik's proxy outpost): check redirect, sign-in, identity headers, forged headers, WebSocket, outpost down. Needs `portcullis emulate` as outpost and app." };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM file of CA certificates to trust instead of the system store." };

        var command = new Command("check", "Probe a deployment in front of authentik (or the emulator): PASS/WARN/FAIL per requirement with the fix; exit code 1 on any FAIL.")
        {
            url, httpUrl, longRun, json, insecure, token, caFile, forwardAuth,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var target) || target.Scheme != Uri.UriSchemeHttps)
            {
                Console.Error.WriteLine($"error: '{parse.GetValue(url)}' is not an https:// URL.");
                return 2;
            }

            Uri? http = null;
            if (parse.GetValue(httpUrl) is { } httpText && (!Uri.TryCreate(httpText, UriKind.Absolute, out http) || http.Scheme != Uri.UriSchemeHttp))
            {
                Console.Error.WriteLine($"error: --http-url '{httpText}' is not an http:// URL.");
                return 2;
            }

            var options = new CheckOptions
            {
                Url = target,
                HttpUrl = http,
                Long = parse.GetValue(longRun),
                Insecure = parse.GetValue(insecure),
                AuthentikToken = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("AUTHENTIK_API_TOKEN"),
                CaFile = parse.GetValue(caFile),
                ForwardAuth = parse.GetValue(forwardAuth),
            };

            CheckReport report;
            try
            {
                report = await DeploymentChecker.RunAsync(options, cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            Console.Out.Write(parse.GetValue(json) ? CheckReportFormatter.ToJson(report) : CheckReportFormatter.ToText(report));
            return report.HasFailure ? 1 : 0;
        });
        return command;
    }
}
