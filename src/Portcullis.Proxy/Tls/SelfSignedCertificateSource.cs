using System.Security.Authentication;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// A generated self-signed certificate for a site that names none, kept in the data directory so a
/// restart serves the same one (<see cref="SelfSignedCertificateStore"/>).
/// </summary>
public sealed class SelfSignedCertificateSource(ServerCertificate certificate, string location, SslProtocols protocols)
    : CertificateSource(certificate, protocols)
{
    public override string Description => $"self-signed, {Location}";

    /// <summary>The data directory it is kept in, or "in memory" for a check that writes nothing.</summary>
    public string Location { get; } = location;
}
