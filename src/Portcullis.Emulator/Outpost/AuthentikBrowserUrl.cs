using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portcullis.Emulator.Configuration;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// Where the outpost sends browsers for the authorize step: <see cref="EmulatorOptions.AuthentikHostBrowser"/>,
/// else the emulator's first bound listener (known only once Kestrel has bound port 0).
/// </summary>
internal sealed class AuthentikBrowserUrl
{
    private readonly EmulatorSettings _settings;
    private readonly IServer _server;
    private string? _resolved;

    public AuthentikBrowserUrl(EmulatorSettings settings, IServer server)
    {
        _settings = settings;
        _server = server;
    }

    /// <summary>scheme://host[:port] plus the web path, ending in "/".</summary>
    public string Base => _resolved ??= Resolve();

    private string Resolve()
    {
        if (_settings.AuthentikHostBrowser is { } configured)
        {
            return configured.GetLeftPart(UriPartial.Authority) + _settings.WebPath;
        }

        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(address => new Uri(address)).ToList() ?? [];
        var first = addresses.FirstOrDefault(uri => uri.Scheme == Uri.UriSchemeHttp) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The emulator has no bound listener yet.");
        var builder = new UriBuilder(first) { Path = _settings.WebPath };
        if (IPAddress.TryParse(first.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            builder.Host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]";
        }

        return builder.Uri.ToString();
    }
}
