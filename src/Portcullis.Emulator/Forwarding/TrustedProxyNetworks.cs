using System.Net;
using System.Net.Sockets;

namespace Portcullis.Emulator.Forwarding;

/// <summary>
/// The parsed form of <see cref="EmulatorOptions.TrustedProxyCidrs"/>: the only peers whose
/// forwarded headers count, as in authentik's <c>listen.trusted_proxy_cidrs</c>.
/// </summary>
internal sealed class TrustedProxyNetworks
{
    private readonly IReadOnlyList<IPNetwork> _networks;

    public TrustedProxyNetworks(IReadOnlyList<IPNetwork> networks) => _networks = networks;

    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool Contains(IPAddress address)
    {
        // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; the CIDRs are written in IPv4.
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

    /// <summary>
    /// Parses <c>a.b.c.d/n</c> or <c>v6/n</c>. Host bits are masked off rather than rejected,
    /// as Go's net.ParseCIDR (authentik's config loader) accepts them; a bare address is a
    /// single host.
    /// </summary>
    public static bool TryParseCidr(string text, out IPNetwork network)
    {
        network = default;
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%'))
        {
            return false;
        }

        var maxLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefixLength = maxLength;
        if (slash >= 0 && (!int.TryParse(trimmed[(slash + 1)..], out prefixLength) || prefixLength < 0 || prefixLength > maxLength))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefixLength);
        return true;
    }
}
