using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Portcullis.Proxy.Tls;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// Debian's pebble, a real ACME server (Let's Encrypt's test CA), on free 127.0.0.1 ports, with
/// pebble-challtestsrv as its DNS server answering 127.0.0.1 for every name: its http-01
/// validation connects to 127.0.0.1 on <c>httpPort</c>, where the test's responder listens.
/// Pebble ships no TLS certificate; one is generated here and trusted only by <see cref="CreateHttpClient"/>.
/// Authorizations are never reused (PEBBLE_AUTHZREUSE=0), so every order really validates, and
/// validation does not sleep (PEBBLE_VA_NOSLEEP=1).
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory;
    private readonly X509Certificate2 _tlsCertificate;
    private readonly ChildProcess _dns;
    private readonly ChildProcess _pebble;
    private readonly Uri _dnsManagementUrl;

    private PebbleServer(string directory, X509Certificate2 tlsCertificate, ChildProcess dns, ChildProcess pebble, int port, int managementPort, int dnsManagementPort)
    {
        _dnsManagementUrl = new Uri($"http://127.0.0.1:{dnsManagementPort}/");
        _directory = directory;
        _tlsCertificate = tlsCertificate;
        _dns = dns;
        _pebble = pebble;
        DirectoryUrl = new Uri($"https://127.0.0.1:{port}/dir");
        ManagementUrl = new Uri($"https://127.0.0.1:{managementPort}/");
    }

    public Uri DirectoryUrl { get; }

    public Uri ManagementUrl { get; }

    /// <summary>Pebble's own TLS certificate as a PEM file: what acme.ca names to trust this server.</summary>
    public string TlsCertificatePath => Path.Combine(_directory, "cert.pem");

    /// <summary>pebble's and pebble-challtestsrv's logs, for failure messages.</summary>
    public string Log => _pebble.Output + _dns.Output;

    /// <param name="httpPort">Where pebble connects for http-01 (port 80 in production).</param>
    /// <param name="nonceRejectPercent">Valid nonces pebble rejects as bad anyway (PEBBLE_WFE_NONCEREJECT).</param>
    /// <param name="validity">The lifetime of the certificates pebble issues.</param>
    /// <param name="tlsPort">Where pebble connects for tls-alpn-01 (port 443 in production); a free port nothing listens on when null.</param>
    public static async Task<PebbleServer> StartAsync(int httpPort, int nonceRejectPercent = 0, TimeSpan? validity = null, int? tlsPort = null)
    {
        var directory = Directory.CreateTempSubdirectory("portcullis-pebble-").FullName;
        var tlsCertificate = SelfSignedCertificateStore.Create(["127.0.0.1", "localhost"], "pebble test server");
        File.WriteAllText(Path.Combine(directory, "cert.pem"), tlsCertificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), tlsCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var ports = FreePort.Take(5);
        var (dnsPort, port, managementPort, dnsManagementPort) = (ports[0], ports[1], ports[2], ports[4]);
        var config = new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{port}",
                ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
                ["certificate"] = Path.Combine(directory, "cert.pem"),
                ["privateKey"] = Path.Combine(directory, "key.pem"),
                ["httpPort"] = httpPort,
                ["tlsPort"] = tlsPort ?? ports[3],
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
                ["certificateValidityPeriod"] = (long)(validity ?? TimeSpan.FromDays(90)).TotalSeconds,
            },
        };
        File.WriteAllText(Path.Combine(directory, "pebble-config.json"), config.ToJsonString());

        // DNS only: every challenge server of challtestsrv off, its management API on loopback,
        // no AAAA answers (the responder listens on 127.0.0.1 only).
        var dns = ChildProcess.Start("/usr/bin/pebble-challtestsrv",
            ["-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"127.0.0.1:{dnsManagementPort}",
             "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""]);
        ChildProcess? pebble = null;
        try
        {
            await dns.WaitForLineAsync("Starting management server", StartTimeout);
            pebble = ChildProcess.Start("/usr/bin/pebble",
                ["-config", Path.Combine(directory, "pebble-config.json"), "-dnsserver", $"127.0.0.1:{dnsPort}", "-strict=false"],
                new Dictionary<string, string>
                {
                    ["PEBBLE_VA_NOSLEEP"] = "1",
                    ["PEBBLE_AUTHZREUSE"] = "0",
                    ["PEBBLE_WFE_NONCEREJECT"] = nonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                workingDirectory: directory);
            await pebble.WaitForLineAsync($"ACME directory available at: https://127.0.0.1:{port}/dir", StartTimeout);
            var server = new PebbleServer(directory, tlsCertificate, dns, pebble, port, managementPort, dnsManagementPort);
            await server.WaitUntilServingAsync();
            return server;
        }
        catch
        {
            if (pebble is not null)
            {
                await pebble.DisposeAsync();
            }

            await dns.DisposeAsync();
            tlsCertificate.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Pebble logs its address just before it binds it, so the line alone does not mean a
    /// connection will be accepted: the directory is fetched until it answers (bounded: 100
    /// attempts, 100 ms apart; there is no event to await for a Go program's bind).
    /// </summary>
    private async Task WaitUntilServingAsync()
    {
        using var http = CreateHttpClient();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(DirectoryUrl);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < 100)
            {
            }

            if (attempt >= 100)
            {
                throw new InvalidOperationException($"pebble does not answer {DirectoryUrl}; its output:\n{Log}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>A client that trusts this pebble's own TLS certificate and nothing else.</summary>
    public HttpClient CreateHttpClient(HttpMessageHandler? inner = null) => new(inner is null ? CreateHandler() : inner);

    public SocketsHttpHandler CreateHandler()
    {
        var expected = _tlsCertificate.RawData;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected),
            },
        };
    }

    /// <summary>
    /// Makes the DNS answer no A record for names without their own (pebble-challtestsrv's
    /// /set-default-ipv4 with an empty address): every name then stops resolving.
    /// </summary>
    public async Task StopResolvingAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(_dnsManagementUrl, "set-default-ipv4"), new StringContent("{\"ip\":\"\"}"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Pebble's root CA (regenerated at every start), which its issued chains lead to.</summary>
    public async Task<X509Certificate2> GetRootAsync()
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync(new Uri(ManagementUrl, "roots/0"));
        return X509Certificate2.CreateFromPem(pem);
    }

    public async ValueTask DisposeAsync()
    {
        await _pebble.DisposeAsync();
        await _dns.DisposeAsync();
        _tlsCertificate.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
