using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Binds listen sockets. An IPv6 address is bound IPv6-only, as nginx does, so "0.0.0.0:443" and
/// "[::]:443" can both be listed (the default) without the second failing with "address in use".
/// </summary>
internal static class ListenSocketFactory
{
    public static Socket Create(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 })
        {
            return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }

        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.DualMode = false;
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
