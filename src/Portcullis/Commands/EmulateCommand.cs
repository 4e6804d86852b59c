using System.CommandLine;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Portcullis.Emulator;

namespace Portcullis.Commands;

/// <summary>portcullis emulate: an upstream that answers a proxy the way authentik does.</summary>
internal static class EmulateCommand
{
    public static Command Create()
    {
        var http = new Option<string[]>("--http") { Description = "Plain-HTTP listen address (repeatable), IP:port. Default 0.0.0.0:9000, like authentik." };
        var https = new Option<string[]>("--https") { Description = "HTTPS listen address (repeatable), IP:port. Default 0.0.0.0:9443, like authentik." };
        var trusted = new Option<string?>("--trusted-proxy-cidrs") { Description = "Comma-separated CIDRs whose X-Forwarded-* are believed (AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS). Default: authentik's." };
        var clientIp = new Option<string?>("--client-ip") { Description = "leftmost (authentik up to 2026.5, default) or rightmost-untrusted (from 2026.8.1)." };
        var webPath = new Option<string?>("--web-path") { Description = "AUTHENTIK_WEB__PATH, e.g. /authentik/. Default /." };
        var outpostToken = new Option<string?>("--outpost-token") { Description = "Bearer token ws/outpost/<uuid>/ requires. Default emulator-outpost-token." };
        var helloInterval = new Option<string?>("--hello-interval") { Description = "How often WebSockets get a HELLO, like outposts (default 10s). Longer than a proxy's read timeout (nginx: 60s) to let `check --long` see it cut idle sockets." };

        var outpostExternalHost = new Option<string?>("--outpost-external-host") { Description = "The emulated proxy outpost's external_host: the URL users open through the proxy doing forward auth, e.g. https://app.company. Default https://localhost." };
        var hostBrowser = new Option<string?>("--authentik-host-browser") { Description = "Where browsers reach this emulator for the outpost's sign-in page (AUTHENTIK_HOST_BROWSER). Default: the first --http listener." };

        var command = new Command("emulate", "Run an authentik emulator: the upstream `portcullis check` reads, for testing any proxy in front of it. Stops on Ctrl+C or SIGTERM.")
        {
            http, https, trusted, clientIp, webPath, outpostToken, helloInterval, outpostExternalHost, hostBrowser,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var defaults = new EmulatorOptions();
            ClientIpMode mode;
            switch (parse.GetValue(clientIp))
            {
                case null or "leftmost": mode = ClientIpMode.Leftmost; break;
                case "rightmost-untrusted": mode = ClientIpMode.RightmostUntrusted; break;
                case var other:
                    Console.Error.WriteLine($"error: --client-ip '{other}': use leftmost or rightmost-untrusted.");
                    return 2;
            }

            var hello = defaults.HelloInterval;
            if (parse.GetValue(helloInterval) is { } helloText && !Portcullis.Proxy.Configuration.ValueParsers.TryParseDuration(helloText, out hello))
            {
                Console.Error.WriteLine($"error: --hello-interval '{helloText}': write a duration such as 10s or 2m.");
                return 2;
            }

            var options = defaults with
            {
                HelloInterval = hello,
                HttpAddresses = parse.GetValue(http) is { Length: > 0 } httpAddresses ? httpAddresses : defaults.HttpAddresses,
                HttpsAddresses = parse.GetValue(https) is { Length: > 0 } httpsAddresses ? httpsAddresses : defaults.HttpsAddresses,
                TrustedProxyCidrs = parse.GetValue(trusted) is { } cidrs
                    ? cidrs.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : defaults.TrustedProxyCidrs,
                ClientIp = mode,
                WebPath = parse.GetValue(webPath) ?? defaults.WebPath,
                OutpostToken = parse.GetValue(outpostToken) ?? defaults.OutpostToken,
                OutpostExternalHost = parse.GetValue(outpostExternalHost) ?? defaults.OutpostExternalHost,
                AuthentikHostBrowser = parse.GetValue(hostBrowser),
            };

            EmulatorServer emulator;
            try
            {
                emulator = await EmulatorServer.StartAsync(options, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            await using (emulator)
            {
                foreach (var address in emulator.HttpUrls.Concat(emulator.HttpsUrls))
                {
                    Console.Out.WriteLine($"listening on {address}");
                }

                Console.Out.WriteLine($"web path {options.WebPath}; client IP rule {mode}; trusted proxies {string.Join(", ", options.TrustedProxyCidrs)}");
                Console.Out.WriteLine($"proxy outpost for {options.OutpostExternalHost} at /outpost.goauthentik.io/ (cookie {emulator.OutpostCookieName}); protected app at {options.WebPath}api/v3/emulator/app/");
                var fingerprint = Convert.ToHexString(SHA256.HashData(emulator.Certificate.RawData));
                Console.Out.WriteLine($"certificate SHA-256 {string.Join(':', fingerprint.Chunk(2).Select(pair => new string(pair)))}");
                Console.Out.WriteLine("Ctrl+C to stop.");

                // Our own registrations: the emulator's host also listens for these signals and
                // would otherwise consume them, leaving this command waiting forever.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                void Stop(PosixSignalContext context)
                {
                    context.Cancel = true;
                    stop.Cancel();
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: open WebSockets get 1012, as authentik sends on restart.
                }
            }

            return 0;
        });
        return command;
    }
}
