using System.Net;

namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>
/// The outcome of parsing the start of a connection: how long the header is, the addresses it
/// carries, or why it was refused. A value, so the parser allocates nothing on a partial header.
/// </summary>
public readonly record struct ProxyHeaderResult
{
    private ProxyHeaderResult(ProxyHeaderStatus status, int length, int version, IPEndPoint? source, IPEndPoint? destination, string? reason)
    {
        Status = status;
        Length = length;
        Version = version;
        Source = source;
        Destination = destination;
        Reason = reason;
    }

    public ProxyHeaderStatus Status { get; }

    /// <summary>Bytes the header takes at the start of the connection (Proxied and Local); what follows is TLS or HTTP.</summary>
    public int Length { get; }

    /// <summary>1 for the text header, 2 for the binary one; 0 while unknown.</summary>
    public int Version { get; }

    /// <summary>The client as the load balancer saw it (Proxied only).</summary>
    public IPEndPoint? Source { get; }

    /// <summary>The address the client connected to on the load balancer (Proxied only).</summary>
    public IPEndPoint? Destination { get; }

    /// <summary>Why the bytes are not a valid header (Invalid only), for the log line.</summary>
    public string? Reason { get; }

    public static ProxyHeaderResult NeedMoreData { get; } = new(ProxyHeaderStatus.NeedMoreData, 0, 0, null, null, null);

    public static ProxyHeaderResult Proxied(int version, int length, IPEndPoint source, IPEndPoint destination) =>
        new(ProxyHeaderStatus.Proxied, length, version, source, destination, null);

    public static ProxyHeaderResult Local(int version, int length) => new(ProxyHeaderStatus.Local, length, version, null, null, null);

    public static ProxyHeaderResult Invalid(int version, string reason) => new(ProxyHeaderStatus.Invalid, 0, version, null, null, reason);
}
