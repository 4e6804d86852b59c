using System.Net;

namespace Portcullis.Proxy.Model;

/// <summary>The networks whose forwarded headers are believed (trusted_proxies).</summary>
public sealed class TrustedNetworks(IReadOnlyList<IPNetwork> networks)
{
    private readonly IPNetwork[] _networks = networks.ToArray();

    public static TrustedNetworks None { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        // A dual-mode [::] listener reports IPv4 peers as ::ffff:a.b.c.d.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
