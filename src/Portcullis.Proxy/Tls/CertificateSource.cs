using System.Net.Security;
using System.Security.Authentication;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Where one site's certificate comes from (files, a generated self-signed one, and next ACME).
/// The TLS handshake asks it for <see cref="TlsOptions"/> every time (<see cref="SniCertificateSelector"/>),
/// so a source that renews its certificate swaps it here and the next handshake serves the new one:
/// no new runtime model, no dropped connection.
/// </summary>
public abstract class CertificateSource
{
    private Served _served;

    protected CertificateSource(ServerCertificate certificate, SslProtocols protocols)
    {
        Protocols = protocols;
        _served = new Served(certificate, ServerTlsOptions.Create(certificate, protocols));
    }

    /// <summary>The TLS versions the site accepts (tls.min_version).</summary>
    public SslProtocols Protocols { get; }

    /// <summary>The certificate served now.</summary>
    public ServerCertificate Certificate => Volatile.Read(ref _served).Certificate;

    /// <summary>The options the next handshake uses: the current certificate with the site's TLS versions.</summary>
    public SslServerAuthenticationOptions TlsOptions => Volatile.Read(ref _served).Options;

    /// <summary>Where the certificate comes from, for the start-up log ("files …", "self-signed …").</summary>
    public abstract string Description { get; }

    /// <summary>Serves a new certificate from the next handshake on; connections already open keep theirs.</summary>
    protected void Serve(ServerCertificate certificate) =>
        Volatile.Write(ref _served, new Served(certificate, ServerTlsOptions.Create(certificate, Protocols)));

    private sealed record Served(ServerCertificate Certificate, SslServerAuthenticationOptions Options);
}
