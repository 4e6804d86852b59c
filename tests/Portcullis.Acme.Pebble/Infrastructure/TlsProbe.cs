using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Tls;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>
/// Serves a certificate with a real Kestrel over TLS on 127.0.0.1:0 and fetches a page from it as
/// a browser would under a host name (<see cref="SiteProbe"/>): the chain must lead to the given root and name the host.
/// </summary>
public static class TlsProbe
{
    /// <returns>The TLS errors the client saw (None when trusted), and the response status.</returns>
    public static async Task<(SslPolicyErrors Errors, HttpStatusCode? Status)> FetchAsync(ServerCertificate certificate, string host, X509Certificate2 root)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = certificate.Context }),
            })));
        await using var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("ok"));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        var result = await SiteProbe.FetchAsync(port, host, root);
        return (result.Errors, result.Status);
    }
}
