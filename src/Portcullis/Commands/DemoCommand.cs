using System.CommandLine;
using Portcullis.Emulator;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;
using Portcullis.Proxy.Tls;

namespace Portcullis.Commands;

/// <summary>
/// portcullis demo: Portcullis on loopback with a generated certificate, in front of the built-in
/// authentik emulator (which echoes what it received and checks it the way authentik would).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var https = new Option<string>("--https") { Description = "HTTPS address.", DefaultValueFactory = _ => "127.0.0.1:8443" };
        var http = new Option<string>("--http") { Description = "HTTP address (redirects to HTTPS).", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var command = new Command("demo", "Run Portcullis on loopback in front of a built-in authentik emulator, and print what to open.") { https, http };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
            {
                HttpAddresses = ["127.0.0.1:0"],
                HttpsAddresses = ["127.0.0.1:0"],
            }, cancellationToken);

            // The emulator's certificate is self-signed, like authentik's own: trusted here by pin,
            // the way a user would trust theirs without turning verification off.
            var yaml = $"""
                listen:
                  http: ["{parse.GetValue(http)}"]
                  https: ["{parse.GetValue(https)}"]
                sites:
                  - hosts: [localhost, 127.0.0.1]
                    routes:
                      - path: /
                        upstream: {emulator.HttpsUrls[0]}
                        upstream_tls:
                          pin_sha256: ["{CertificateFacts.SpkiPin(emulator.Certificate)}"]
                """;
            ProxyConfig config;
            try
            {
                config = ConfigLoader.LoadText(yaml, "demo configuration", Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariables());
            }
            catch (ConfigException ex)
            {
                ConfigErrorsPrinter.Print(Console.Error, ex);
                return 1;
            }

            var server = await ServerStart.StartAsync(config, new PortcullisServerOptions(), cancellationToken);
            if (server is null)
            {
                return 1;
            }

            await using (server)
            {
                var site = server.Addresses.Https[0];
                var url = $"https://localhost:{site.Port}/";
                Console.WriteLine($"""

                    Portcullis demo: Portcullis on {site} in front of an authentik emulator on {emulator.HttpsUrls[0]}.
                    The configuration it runs:

                    {yaml}

                      Open   {url}   (accept the self-signed certificate) for the emulator's self-check page:
                             every line green means scheme, host, client IP, WebSocket and CSRF all reach it right.
                      curl -k {url}api/v3/admin/system/                 what the upstream saw
                      curl -k -H 'X-Forwarded-For: 6.6.6.6' {url}api/v3/admin/system/   a forged client IP is replaced
                      curl -i http://localhost:{server.Addresses.Http[0].Port}/if/admin/                       redirect to HTTPS, port kept
                      portcullis check {url} --insecure --http-url http://localhost:{server.Addresses.Http[0].Port}/

                    Ctrl+C stops.
                    """);
                await server.WaitForShutdownAsync();
            }

            return 0;
        });
        return command;
    }
}
