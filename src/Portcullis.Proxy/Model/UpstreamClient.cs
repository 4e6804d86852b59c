using Portcullis.Proxy.Tls;

namespace Portcullis.Proxy.Model;

/// <summary>A pooled HTTP client towards upstreams and the certificate policy it checks with.</summary>
public sealed record UpstreamClient(HttpMessageInvoker Invoker, UpstreamCertificatePolicy CertificatePolicy);
