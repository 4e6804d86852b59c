using System.CommandLine;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;

namespace Portcullis.Commands;

/// <summary>portcullis run: serve a config file, or the one-site case from flags.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = ConfigOptions.ConfigFile();
        var host = new Option<string?>("--host") { Description = "One-site mode: the public host name, e.g. sso.domain.tld." };
        var upstream = new Option<string?>("--upstream") { Description = "One-site mode: the upstream URL, e.g. https://authentik:9443." };
        var certificate = new Option<string?>("--cert") { Description = "PEM certificate chain (fullchain.pem). Without it a self-signed certificate is generated." };
        var key = new Option<string?>("--key") { Description = "PEM private key (privkey.pem)." };
        var http = new Option<string[]>("--http") { Description = "Plain-HTTP listen address (repeatable), e.g. 0.0.0.0:80.", AllowMultipleArgumentsPerToken = false };
        var https = new Option<string[]>("--https") { Description = "HTTPS listen address (repeatable), e.g. 0.0.0.0:443." };
        var trusted = new Option<string[]>("--trusted-proxy") { Description = "CIDR of a load balancer in front of Portcullis whose X-Forwarded-* headers are believed (repeatable)." };
        var insecure = new Option<bool>("--upstream-insecure") { Description = "Do not verify the upstream's certificate (only on a private network)." };
        var acmeEmail = new Option<string?>("--acme-email") { Description = "One-site mode: get the certificate from Let's Encrypt (ACME http-01 on port 80 or tls-alpn-01 on port 443; one of them reachable from the internet); the account's email address. Ignored with --cert." };

        var command = new Command("run", "Serve a configuration file, or one site given by flags.")
        {
            config, host, upstream, certificate, key, http, https, trusted, insecure, acmeEmail,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var environment = Environment.GetEnvironmentVariables();
            var file = parse.GetValue(config);
            Func<ProxyConfig> load;
            if (file is not null)
            {
                load = () => ConfigLoader.LoadFile(file, environment);
            }
            else if (parse.GetValue(host) is { } hostName && parse.GetValue(upstream) is { } upstreamUrl)
            {
                var oneSite = new OneSiteConfig(hostName, upstreamUrl, parse.GetValue(certificate), parse.GetValue(key),
                    parse.GetValue(http) ?? [], parse.GetValue(https) ?? [], parse.GetValue(trusted) ?? [], parse.GetValue(insecure), parse.GetValue(acmeEmail));
                load = () => oneSite.Load(environment);
            }
            else
            {
                Console.Error.WriteLine("error: give --config FILE, or --host NAME and --upstream URL.");
                return 2;
            }

            ProxyConfig loaded;
            try
            {
                loaded = load();
            }
            catch (ConfigException ex)
            {
                ConfigErrorsPrinter.Print(Console.Error, ex);
                return 1;
            }

            var server = await ServerStart.StartAsync(loaded, new PortcullisServerOptions { Reload = load }, cancellationToken);
            if (server is null)
            {
                return 1;
            }

            await using (server)
            {
                await server.WaitForShutdownAsync();
            }

            return 0;
        });
        return command;
    }
}
