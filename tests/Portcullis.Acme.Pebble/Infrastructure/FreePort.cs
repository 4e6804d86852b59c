using System.Net;
using System.Net.Sockets;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// A port free on 127.0.0.1 right now, for the programs that take a port number in their
/// configuration rather than binding port 0 themselves (pebble, pebble-challtestsrv).
/// </summary>
public static class FreePort
{
    /// <summary><paramref name="count"/> distinct ports: all are held open together, so none is handed out twice.</summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
