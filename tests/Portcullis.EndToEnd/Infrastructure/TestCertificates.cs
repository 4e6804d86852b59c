using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>Certificates for tests: PEM files on disk as certbot writes them, a small CA, TLS probes.</summary>
public static class TestCertificates
{
    /// <summary>Writes a self-signed certificate for the hosts as {name}.crt/{name}.key in the directory.</summary>
    public static (string Certificate, string Key, X509Certificate2 Leaf) WritePem(string directory, string name, params string[] hosts)
    {
        var certificate = SelfSignedCertificateStore.Create(hosts);
        return Write(directory, name, certificate);
    }

    public static (string Certificate, string Key, X509Certificate2 Leaf) Write(string directory, string name, X509Certificate2 certificate, X509Certificate2? issuer = null)
    {
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        var chain = certificate.ExportCertificatePem() + (issuer is null ? "" : "\n" + issuer.ExportCertificatePem());
        File.WriteAllText(certificatePath + ".tmp", chain);
        File.WriteAllText(keyPath + ".tmp", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.Move(keyPath + ".tmp", keyPath, overwrite: true);
        File.Move(certificatePath + ".tmp", certificatePath, overwrite: true);
        return (certificatePath, keyPath, certificate);
    }

    /// <summary>A CA and a leaf for "localhost"/127.0.0.1 signed by it (the leaf has its private key).</summary>
    public static (X509Certificate2 Ca, X509Certificate2 Leaf) CreateCaAndLeaf()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Portcullis Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(10), [1, 2, 3, 4]);
        return (ca, signed.CopyWithPrivateKey(leafKey));
    }

    /// <summary>Handshakes with the server and returns the certificate it presented and the protocol, or null if refused.</summary>
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
}
