using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Emulator;

namespace Portcullis.Testing;

/// <summary>
/// The authentik emulator (src/Portcullis.Emulator) as a test upstream: starts it on 127.0.0.1
/// port 0 and builds clients that trust exactly its certificate.
/// </summary>
public static class TestEmulator
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <param name="configure">Changes to the loopback defaults (another address, trusted CIDRs, a web path).</param>
    public static Task<EmulatorServer> StartAsync(Func<EmulatorOptions, EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions
        {
            HttpAddresses = ["127.0.0.1:0"],
            HttpsAddresses = ["127.0.0.1:0"],
        };
        return EmulatorServer.StartAsync(configure?.Invoke(options) ?? options);
    }

    public static CancellationToken TimeoutToken() => new CancellationTokenSource(Timeout).Token;

    /// <summary>A handler that accepts the emulator's self-signed certificate by SHA-256 thumbprint and nothing else.</summary>
    public static SocketsHttpHandler TrustingHandler(EmulatorServer server) => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => IsEmulatorCertificate(server, certificate),
        },
    };

    public static bool IsEmulatorCertificate(EmulatorServer server, X509Certificate? certificate) =>
        certificate is not null
        && certificate.GetCertHashString(HashAlgorithmName.SHA256) == server.Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    public static HttpClient Client(EmulatorServer server, Version? version = null)
    {
        var client = new HttpClient(TrustingHandler(server)) { Timeout = Timeout };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    public static Uri Http(EmulatorServer server, string path) => new(server.HttpUrls[0], path);

    public static Uri Https(EmulatorServer server, string path) => new(server.HttpsUrls[0], path);

    public static Uri Ws(EmulatorServer server, string path) => new UriBuilder(Http(server, path)) { Scheme = "ws" }.Uri;

    public static Uri Wss(EmulatorServer server, string path) => new UriBuilder(Https(server, path)) { Scheme = "wss" }.Uri;

    public static AuthenticationHeaderValue OutpostBearer => new("Bearer", new EmulatorOptions().OutpostToken);
}
