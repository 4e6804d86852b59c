using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Forwarding;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Kestrel connection middleware that caps the connections one client IP address holds open at
/// once (limits.max_connections_per_client), so that one host cannot take every socket and starve
/// the others. The cap binds only under pressure, once all clients together hold more than
/// limits.per_client_cap_above_connections: a NAT address carrying a whole office is not locked out
/// while the server has room, and a flood from one address is still refused at the cap as soon as
/// it matters, every other address being accepted. A connection past the cap is closed at accept,
/// before the TLS handshake costs anything. Peers in trusted_proxies are exempt: behind a load
/// balancer every client shares its address, and the cap belongs on the balancer. Reads the
/// current model, so a reload applies to new connections.
/// </summary>
public sealed class ClientConnectionLimiter(Func<RuntimeModelHolder> models, Func<ILogger> logger)
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    // Addresses past the cap already logged, refused or accepted: one line per crossing of the cap,
    // not one per connection, so an attack cannot flood the log.
    private readonly ConcurrentDictionary<IPAddress, bool> _logged = new();
    private int _total;

    /// <summary>Client connections open now, trusted proxies' excluded (tests, logs).</summary>
    public int Total => Volatile.Read(ref _total);

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

        var limits = model.Config.Limits;
        var max = limits.MaxConnectionsPerClient;
        var pressure = limits.PerClientCapAboveConnections;
        var count = _open.AddOrUpdate(address, 1, (_, n) => n + 1);
        var total = Interlocked.Increment(ref _total);
        try
        {
            if (count > max)
            {
                if (total > pressure)
                {
                    if (_logged.TryAdd(address, true) || _logged.TryUpdate(address, true, false))
                    {
                        logger().LogWarning("client {Client} holds {Max} connections or more while the server holds {Total} (more than limits.per_client_cap_above_connections, {Pressure}): closing its new ones. Many users behind one NAT address? Raise limits.max_connections_per_client", ForwardedHeaders.FormatAddress(address), max, total, pressure);
                    }

                    return; // Returning closes the connection.
                }

                if (_logged.TryAdd(address, false))
                {
                    logger().LogInformation("client {Client} holds more than {Max} connections (limits.max_connections_per_client); accepted while the server holds at most {Pressure} in all (limits.per_client_cap_above_connections)", ForwardedHeaders.FormatAddress(address), max, pressure);
                }
            }

            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _total);
            if (_open.AddOrUpdate(address, 0, (_, n) => n - 1) <= max)
            {
                _logged.TryRemove(address, out _);
            }

            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    };
}
