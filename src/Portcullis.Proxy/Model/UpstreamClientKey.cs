using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Model;

/// <summary>What makes two upstream clients interchangeable: the TLS policy and the limits they were built with.</summary>
public sealed record UpstreamClientKey(UpstreamTlsConfig Tls, TimeSpan ConnectTimeout, long MaxResponseHeadersBytes, DateTime CaFileTime);
