using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;

namespace Portcullis.Commands;

/// <summary>Starts the server, turning the usual start-up failures into one clear line.</summary>
internal static class ServerStart
{
    public static async Task<PortcullisServer?> StartAsync(ProxyConfig config, PortcullisServerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await PortcullisServer.StartAsync(config, options, cancellationToken);
        }
        catch (ConfigException ex)
        {
            ConfigErrorsPrinter.Print(Console.Error, ex);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"error: {ex.Message} Another program (or another Portcullis) holds that port; choose another address.");
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            Console.Error.WriteLine($"error: cannot listen: {ex.Message}. Ports below 1024 need root or CAP_NET_BIND_SERVICE.");
        }

        return null;
    }
}
