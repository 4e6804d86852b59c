using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Model;

namespace Portcullis.Proxy.Forwarding;

/// <summary>
/// The request as it goes upstream, decided once after routing and applied by both ways of
/// forwarding (<see cref="ForwardingTransformer"/> for HTTP, <see cref="WebSocketForwarder"/> for
/// WebSockets): which of the client's headers stay behind, which headers Portcullis sets (the
/// forwarded headers, and identity headers from forward auth), and the path the upstream sees.
/// The client's request itself is never changed, so every later step and the access log read
/// what the client sent.
/// </summary>
public sealed class OutboundRequest
{
    private readonly List<KeyValuePair<string, string>> _set = new(4);
    private List<string>? _dropped;

    private OutboundRequest(string path, bool pathChanged)
    {
        Path = path;
        PathChanged = pathChanged;
    }

    /// <summary>The path the upstream sees: the client's, or without the route's prefix (strip_prefix).</summary>
    public string Path { get; }

    public bool PathChanged { get; }

    /// <summary>Headers Portcullis sets, each replacing whatever the client sent under that name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _set;

    /// <summary>
    /// The forwarded-header policy applied to one request (<see cref="ForwardedHeaders"/>): from an
    /// untrusted peer every spoofable header stays behind and the forwarded headers say what
    /// Portcullis saw on the connection; a trusted peer's X-Forwarded-* are kept and extended.
    /// </summary>
    public static OutboundRequest Create(HttpContext context, PathPrefix prefix, TrustedNetworks trusted)
    {
        var path = context.Request.Path.Value ?? "/";
        var upstreamPath = prefix.UpstreamPath(path);
        var outbound = new OutboundRequest(upstreamPath, !ReferenceEquals(upstreamPath, path));
        var peerTrusted = trusted.Contains(context.Connection.RemoteIpAddress);
        foreach (var header in context.Request.Headers)
        {
            if (ForwardedHeaders.IsSpoofable(header.Key) && !(peerTrusted && ForwardedHeaders.IsKeptFromTrustedPeer(header.Key)))
            {
                outbound.Drop(header.Key);
            }
        }

        var (forwardedFor, proto, host) = ForwardedHeaders.Compute(context, peerTrusted);
        outbound.Set(ForwardedHeaders.XForwardedFor, forwardedFor);
        outbound.Set(ForwardedHeaders.XForwardedProto, proto);
        outbound.Set(ForwardedHeaders.XForwardedHost, host);
        return outbound;
    }

    /// <summary>Keeps a client header from reaching the upstream.</summary>
    public void Drop(string name) => (_dropped ??= []).Add(name);

    /// <summary>Sets a header on the upstream request, replacing the client's value of that name.</summary>
    public void Set(string name, string value)
    {
        for (var i = 0; i < _set.Count; i++)
        {
            if (_set[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                _set[i] = new(name, value);
                return;
            }
        }

        _set.Add(new(name, value));
    }

    /// <summary>True for a client header that is not copied upstream: dropped, or replaced by one Portcullis sets.</summary>
    public bool Replaces(string clientHeader)
    {
        if (_dropped is not null)
        {
            foreach (var name in _dropped)
            {
                if (name.Equals(clientHeader, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        foreach (var (name, _) in _set)
        {
            if (name.Equals(clientHeader, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Applies the decisions to a request whose headers were copied from the client's.</summary>
    public void ApplyTo(HttpRequestMessage proxyRequest)
    {
        var headers = proxyRequest.Headers;
        if (_dropped is not null)
        {
            foreach (var name in _dropped)
            {
                try
                {
                    headers.Remove(name);
                }
                catch (FormatException)
                {
                    // Not a valid header name (RFC 9110 §5.1): the copy from the client's request
                    // (TryAddWithoutValidation) refused it too, so there is nothing to remove.
                }
            }
        }

        foreach (var (name, value) in _set)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
