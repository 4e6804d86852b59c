using System.Net;
using System.Net.Sockets;

namespace Portcullis.Check.Probing;

/// <summary>IP address helpers shared by the client-IP checks.</summary>
internal static class Addresses
{
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Parses an address as an upstream reports it; null when it is not one.</summary>
    public static IPAddress? Parse(string? text) =>
        IPAddress.TryParse(text?.Trim().Trim('[', ']'), out var address) ? Normalize(address) : null;

    /// <summary>Loopback, RFC 1918, link-local, CGNAT or IPv6 ULA: an address a NAT hides.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal;
        }

        var bytes = address.GetAddressBytes();
        return bytes[0] == 10
            || (bytes[0] == 172 && bytes[1] >= 16 && bytes[1] < 32)
            || (bytes[0] == 192 && bytes[1] == 168)
            || (bytes[0] == 169 && bytes[1] == 254)
            || (bytes[0] == 100 && bytes[1] >= 64 && bytes[1] < 128);
    }
}
