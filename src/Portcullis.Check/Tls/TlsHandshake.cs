using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Tls;

/// <summary>One TLS handshake with SslStream, limited to the given versions, recording what the server chose.</summary>
internal static class TlsHandshake
{
    public static async Task<TlsHandshakeResult> RunAsync(ProbeTarget target, SslProtocols protocols, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = ProbeTimeout.Start(timeout, cancellationToken);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, deadline.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return TlsHandshakeResult.NotConnected($"cannot connect to {target.Authority}: {ProbeTimeout.Describe(ex)}");
        }

        X509Certificate2? certificate = null;
        var intermediates = new List<X509Certificate2>();
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = target.Host,
                EnabledSslProtocols = protocols,
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, remote, chain, _) =>
                {
                    // Judged by CertificateTrust afterwards; here only collected.
                    if (remote is not null)
                    {
                        certificate = new X509Certificate2(remote);
                    }

                    if (chain is not null)
                    {
                        intermediates.AddRange(chain.ChainElements.Skip(1).Select(element => new X509Certificate2(element.Certificate)));
                        intermediates.AddRange(chain.ChainPolicy.ExtraStore.Select(extra => new X509Certificate2(extra)));
                    }

                    return true;
                },
            }, deadline.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return TlsHandshakeResult.Refused(ProbeTimeout.Describe(ex));
        }

        return new TlsHandshakeResult(true, true, tls.SslProtocol, tls.NegotiatedApplicationProtocol, certificate, intermediates, null);
    }
}

/// <summary>What one handshake found.</summary>
internal sealed record TlsHandshakeResult(
    bool Connected,
    bool Succeeded,
    SslProtocols Protocol,
    SslApplicationProtocol ApplicationProtocol,
    X509Certificate2? Certificate,
    IReadOnlyList<X509Certificate2> Intermediates,
    string? Error)
{
    public static TlsHandshakeResult NotConnected(string error) => new(false, false, SslProtocols.None, default, null, [], error);

    public static TlsHandshakeResult Refused(string error) => new(true, false, SslProtocols.None, default, null, [], error);
}
