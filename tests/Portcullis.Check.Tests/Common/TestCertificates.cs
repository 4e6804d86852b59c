using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Check.Tests.Common;

/// <summary>A throwaway CA and a server certificate it issued for localhost and 127.0.0.1, as PEM files.</summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory, X509Certificate2 server)
    {
        Directory = directory;
        Server = server;
    }

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string CertificateFile => Path.Combine(Directory, "server.pem");

    public string KeyFile => Path.Combine(Directory, "server.key");

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 Server { get; }

    public static TestCertificates Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("portcullis-check-tests-").FullName;
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Portcullis check test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var issued = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(12));
        var server = issued.CopyWithPrivateKey(serverKey);

        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        return new TestCertificates(directory, server);
    }

    public void Dispose()
    {
        Server.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
