using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Portcullis.Check.Probing;

/// <summary>
/// The HTTPS client every upstream probe goes through: browser-like (HTTP/2 when offered, else
/// HTTP/1.1), no cookies or redirects of its own, any certificate accepted (the
/// <c>tls-certificate</c> check judges it, so one bad certificate does not hide every other
/// finding), and it remembers the local address of its connections: the address the proxy
/// should report as the client.
/// </summary>
internal sealed class ProbeClient : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private IPAddress? _localAddress;

    public ProbeClient(TimeSpan timeout)
    {
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = timeout,
            // Large enough for the large-cookie probe's answer, which echoes the cookie.
            MaxResponseHeadersLength = 256,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
            ConnectCallback = ConnectAsync,
        };
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        Http = new HttpClient(_handler, disposeHandler: false)
        {
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public HttpClient Http { get; }

    /// <summary>For ClientWebSocket.ConnectAsync: the same connections and certificate policy.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>The local address of the latest connection (IPv4-mapped addresses unmapped), or null before any.</summary>
    public IPAddress? LocalAddress => Volatile.Read(ref _localAddress);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            Volatile.Write(ref _localAddress, Addresses.Normalize(((IPEndPoint)socket.LocalEndPoint!).Address));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        Invoker.Dispose();
        _handler.Dispose();
    }
}
