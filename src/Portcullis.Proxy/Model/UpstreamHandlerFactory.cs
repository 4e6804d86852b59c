using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Health;
using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Model;

/// <summary>
/// Creates the pooled, kept-alive client towards upstreams. One handler per distinct upstream
/// TLS policy: its pool has no fixed size, so there is no throughput cliff under concurrency
/// (the guide's "keepalive 10" halves nginx's throughput at 64 connections).
/// </summary>
public static class UpstreamHandlerFactory
{
    /// <param name="health">Where transport failures are reported (the passive health check); null: nowhere.</param>
    public static HttpMessageInvoker Create(UpstreamCertificatePolicy policy, UpstreamTlsConfig tls, LimitsConfig limits, TimeoutsConfig timeouts, UpstreamHealthTable? health = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = timeouts.UpstreamConnect,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxResponseHeadersLength = (int)Math.Min(int.MaxValue, Math.Max(1, limits.MaxResponseHeadersBytes / 1024)),
            ResponseDrainTimeout = TimeSpan.FromSeconds(2),
            // Called once a new connection's TLS handshake is done: idle pooled connections and
            // upgraded WebSockets give their TLS buffers back (Tls/OpenSslBufferRelease.cs).
            PlaintextStreamFilter = (context, _) =>
            {
                if (context.PlaintextStream is SslStream ssl)
                {
                    OpenSslBufferRelease.Apply(ssl);
                }

                return ValueTask.FromResult(context.PlaintextStream);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = policy.Validate,
                TargetHost = tls.ServerName,
            },
        };
        return new HttpMessageInvoker(health is null ? handler : new PassiveHealthHandler(handler, health), disposeHandler: true);
    }
}
