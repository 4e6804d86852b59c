using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// A browser's view of a site behind a running Portcullis: an HTTPS GET to the host (resolved to
/// the loopback listener) trusting only the given root, with the certificate the server presented.
/// </summary>
public static class SiteProbe
{
    public sealed record Result(SslPolicyErrors Errors, HttpStatusCode? Status, X509Certificate2? Served);

    public static async Task<Result> FetchAsync(int httpsPort, string host, X509Certificate2 root)
    {
        var errors = SslPolicyErrors.None;
        X509Certificate2? served = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, httpsPort, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { root },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
                RemoteCertificateValidationCallback = (_, certificate, _, policyErrors) =>
                {
                    errors = policyErrors;
                    served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    // Accept anyway: the test asserts on the errors, and wants the status too.
                    return true;
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await client.GetAsync($"https://{host}:{httpsPort}/");
            return new Result(errors, response.StatusCode, served);
        }
        catch (HttpRequestException)
        {
            return new Result(errors, null, served);
        }
    }
}
