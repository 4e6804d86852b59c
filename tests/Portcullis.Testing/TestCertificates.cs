using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls;

namespace Portcullis.Testing;

/// <summary>
/// Certificates for tests, made in memory (ECDSA P-256): a CA and leaves it signs, self-signed
/// certificates, PEM files on disk as certbot writes them, and a TLS probe that reports what a
/// server presents. <see cref="Create"/> gives a whole set on disk (a CA and a server certificate
/// for localhost and 127.0.0.1 it signed), for a client that trusts exactly that CA.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>id-kp-serverAuth (RFC 5280 §4.2.1.12).</summary>
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly TempDirectory _directory;

    private TestCertificates(TempDirectory directory, X509Certificate2 ca, X509Certificate2 server, string certificateFile, string keyFile, string caFile)
    {
        _directory = directory;
        Ca = ca;
        Server = server;
        CertificateFile = certificateFile;
        KeyFile = keyFile;
        CaFile = caFile;
    }

    /// <summary>The directory the PEM files are in (removed on dispose).</summary>
    public string Directory => _directory.Path;

    /// <summary>The CA certificate alone, PEM: what a client is told to trust.</summary>
    public string CaFile { get; }

    /// <summary>The server certificate followed by the CA, PEM (certbot's fullchain.pem).</summary>
    public string CertificateFile { get; }

    /// <summary>The server certificate's private key, PKCS#8 PEM (certbot's privkey.pem).</summary>
    public string KeyFile { get; }

    public X509Certificate2 Ca { get; }

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A new CA and a server certificate for localhost and 127.0.0.1 it signed, written as PEM files into a directory of their own.</summary>
    public static TestCertificates Create()
    {
        var directory = new TempDirectory();
        var ca = CreateCa();
        var server = CreateLeaf(ca, "localhost", "127.0.0.1");
        var (certificateFile, keyFile, _) = Write(directory.Path, "server", server, issuer: ca);
        var caFile = directory.Write("ca.pem", ca.ExportCertificatePem());
        return new TestCertificates(directory, ca, server, certificateFile, keyFile, caFile);
    }

    /// <summary>A self-signed CA certificate (with its private key), valid from a day ago for a year.</summary>
    public static X509Certificate2 CreateCa(string name = "Portcullis Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>
    /// A server certificate signed by <paramref name="ca"/> (with its private key) for the hosts:
    /// names become DNS names, IP literals IP addresses; the first is the subject's CN. Valid for
    /// 90 days, as Let's Encrypt's are: `portcullis check` warns below 14.
    /// </summary>
    public static X509Certificate2 CreateLeaf(X509Certificate2 ca, params string[] hosts)
    {
        if (hosts.Length == 0)
        {
            throw new ArgumentException("name at least one host", nameof(hosts));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hosts[0], key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(16));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A CA and a leaf for "localhost" and 127.0.0.1 signed by it (the leaf has its private key).</summary>
    public static (X509Certificate2 Ca, X509Certificate2 Leaf) CreateCaAndLeaf()
    {
        var ca = CreateCa();
        return (ca, CreateLeaf(ca, "localhost", "127.0.0.1"));
    }

    /// <summary>Writes a new self-signed certificate for the hosts as {name}.crt/{name}.key in the directory.</summary>
    public static (string Certificate, string Key, X509Certificate2 Leaf) WritePem(string directory, string name, params string[] hosts) =>
        Write(directory, name, SelfSignedCertificateStore.Create(hosts));

    /// <summary>
    /// Writes the certificate (followed by <paramref name="issuer"/>, if any, as in fullchain.pem)
    /// and its private key as {name}.crt and {name}.key. Each file is written beside and renamed
    /// into place, as certbot's renewal swaps files, so a watcher never reads half a file.
    /// </summary>
    public static (string Certificate, string Key, X509Certificate2 Leaf) Write(string directory, string name, X509Certificate2 certificate, X509Certificate2? issuer = null)
    {
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        var chain = certificate.ExportCertificatePem() + (issuer is null ? "" : "\n" + issuer.ExportCertificatePem());
        File.WriteAllText(certificatePath + ".tmp", chain);
        File.WriteAllText(keyPath + ".tmp", PrivateKeyPem(certificate));
        File.Move(keyPath + ".tmp", keyPath, overwrite: true);
        File.Move(certificatePath + ".tmp", certificatePath, overwrite: true);
        return (certificatePath, keyPath, certificate);
    }

    /// <summary>Handshakes with the server and returns the certificate it presented and the protocol, or null if it refused.</summary>
    public static async Task<(X509Certificate2 Certificate, SslProtocols Protocol)?> HandshakeAsync(Uri server, string sni, SslProtocols protocols = SslProtocols.None)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var tls = new SslStream(client.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return null;
        }

        return (new X509Certificate2(tls.RemoteCertificate!), tls.SslProtocol);
    }

    private static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return ecdsa.ExportPkcs8PrivateKeyPem();
        }

        using var rsa = certificate.GetRSAPrivateKey();
        return rsa?.ExportPkcs8PrivateKeyPem() ?? throw new ArgumentException($"{certificate.Subject} has no ECDSA or RSA private key", nameof(certificate));
    }

    public void Dispose()
    {
        Server.Dispose();
        Ca.Dispose();
        _directory.Dispose();
    }
}
