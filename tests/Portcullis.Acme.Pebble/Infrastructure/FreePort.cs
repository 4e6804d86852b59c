using System.Net;
using System.Net.Sockets;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// A port free on 127.0.0.1 right now, for the programs that take a port number in their
/// configuration rather than binding port 0 themselves (pebble, pebble-challtestsrv).
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
