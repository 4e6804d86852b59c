using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Marks the HTTPS connections whose ClientHello offers ALPN "acme-tls/1" with
/// <see cref="AcmeTlsAlpnFeature"/>, before the handshake: a tls-alpn-01 validation (RFC 8737 §3)
/// must get the challenge certificate, and Kestrel's per-connection TLS callback, which picks each
/// site's certificate and TLS versions from SNI, is not shown the client's ALPN list. Kestrel 10
/// hands the ClientHello's bytes over only with HttpsConnectionAdapterOptions
/// (TlsClientHelloBytesCallback), whose per-connection OnAuthenticate runs before the handshake:
/// there every connection's certificate and TLS versions would rest on an SNI name parsed by
/// Portcullis instead of SslStream. So this does what Kestrel's callback does, and only that: it
/// looks at the first TLS record without consuming it, and the handshake then reads the same bytes.
/// Only while an ACME site answers tls-alpn-01; every other connection is passed on untouched.
/// </summary>
internal sealed class AcmeTlsAlpnDetector(Func<RuntimeModelHolder> models, TimeSpan timeout)
{
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        if (models().Current.AnswersTlsAlpn01)
        {
            switch (await ScanAsync(connection.Transport.Input, connection.ConnectionClosed))
            {
                case ClientHelloAlpnScan.Offered:
                    connection.Features.Set(AcmeTlsAlpnFeature.Instance);
                    break;
                case ClientHelloAlpnScan.NeedMoreData:
                    // No whole ClientHello within the handshake timeout: what Kestrel does to a
                    // handshake that takes as long.
                    connection.Abort(new ConnectionAbortedException("no TLS ClientHello within the handshake timeout"));
                    return;
            }
        }

        await next(connection);
    };

    private async Task<ClientHelloAlpnScan> ScanAsync(PipeReader input, CancellationToken closed)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(closed);
        deadline.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return ClientHelloAlpnScan.NeedMoreData;
            }

            var buffer = result.Buffer;
            var scan = ClientHelloAlpn.Scan(buffer, TlsAlpn01ChallengeResponder.AcmeTls1.Protocol.Span);
            if (scan == ClientHelloAlpnScan.NeedMoreData && !result.IsCompleted && !result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End); // nothing consumed, everything seen: wait for more
                continue;
            }

            input.AdvanceTo(buffer.Start); // nothing consumed: the handshake reads it all again
            // A client that closed mid-hello is the handshake's to fail, as without this detector.
            return scan == ClientHelloAlpnScan.Offered ? scan : ClientHelloAlpnScan.NotOffered;
        }
    }
}
