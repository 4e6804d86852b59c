using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Portcullis.Check.Tests.Common;

/// <summary>
/// A deliberately bad proxy: TLS, Host and X-Forwarded-Proto right, but X-Forwarded-For
/// appended to what the client sent, like nginx's <c>$proxy_add_x_forwarded_for</c> and
/// HAProxy's <c>option forwardfor</c>. With <c>setForwardedProto: false</c> it also forgets
/// X-Forwarded-Proto, like an nginx location without <c>proxy_set_header X-Forwarded-Proto</c>.
/// </summary>
internal sealed class AppendingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _invoker;

    private AppendingProxy(WebApplication app, HttpMessageInvoker invoker, Uri httpsUrl)
    {
        _app = app;
        _invoker = invoker;
        HttpsUrl = httpsUrl;
    }

    public Uri HttpsUrl { get; }

    public static async Task<AppendingProxy> StartAsync(Uri upstream, TestCertificates certificates, bool setForwardedProto = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificates.Server);
        }));
        builder.Services.AddHttpForwarder();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        var app = builder.Build();
        var destination = upstream.GetLeftPart(UriPartial.Authority) + "/";
        app.Map("/{**path}", async (HttpContext context, IHttpForwarder forwarder) =>
        {
            await forwarder.SendAsync(context, destination, invoker, ForwarderRequestConfig.Empty, setForwardedProto ? AppendingTransformer.WithProto : AppendingTransformer.WithoutProto);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new AppendingProxy(app, invoker, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _invoker.Dispose();
    }

    private sealed class AppendingTransformer : HttpTransformer
    {
        public static readonly AppendingTransformer WithProto = new(true);
        public static readonly AppendingTransformer WithoutProto = new(false);

        private readonly bool _setForwardedProto;

        private AppendingTransformer(bool setForwardedProto) => _setForwardedProto = setForwardedProto;

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var peer = httpContext.Connection.RemoteIpAddress!.ToString();
            var sent = httpContext.Request.Headers["X-Forwarded-For"].ToString();
            proxyRequest.Headers.Remove("X-Forwarded-For");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", sent.Length == 0 ? peer : $"{sent}, {peer}");
            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            if (_setForwardedProto)
            {
                proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
            }

            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
        }
    }
}
