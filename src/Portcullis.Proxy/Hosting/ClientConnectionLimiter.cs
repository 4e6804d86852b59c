using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Forwarding;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Kestrel connection middleware that caps the connections one client IP address holds open at
/// once (limits.max_connections_per_client), so that one host cannot take every socket and starve
/// the others. A connection past the cap is closed at accept, before the TLS handshake costs
/// anything. Peers in trusted_proxies are exempt: behind a load balancer every client shares its
/// address, and the cap belongs on the balancer. Reads the current model, so a reload applies to
/// new connections.
/// </summary>
public sealed class ClientConnectionLimiter(Func<RuntimeModelHolder> models, Func<ILogger> logger)
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var model = models().Current;
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is null || model.Trusted.Contains(address))
        {
            await next(connection);
            return;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var max = model.Config.Limits.MaxConnectionsPerClient;
        var count = _open.AddOrUpdate(address, 1, (_, n) => n + 1);
        try
        {
            if (count > max)
            {
                if (count == max + 1)
                {
                    // Once per crossing, not once per refused connection: an attack must not flood the log.
                    logger().LogWarning("client {Client} holds {Max} connections (limits.max_connections_per_client): closing its new ones", ForwardedHeaders.FormatAddress(address), max);
                }

                return; // Returning closes the connection.
            }

            await next(connection);
        }
        finally
        {
            _open.AddOrUpdate(address, 0, (_, n) => n - 1);
            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    };
}
