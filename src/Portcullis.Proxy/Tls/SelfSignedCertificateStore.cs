using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Generates a self-signed certificate for sites with none configured, and keeps it in the data
/// directory so a restart does not change it (browsers and pins that accepted it keep working).
/// </summary>
public static class SelfSignedCertificateStore
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static ServerCertificate GetOrCreate(string dataDirectory, IReadOnlyList<string> hosts)
    {
        var name = "self-signed-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', hosts))))[..16];
        var certificatePath = Path.Combine(dataDirectory, name + ".crt");
        var keyPath = Path.Combine(dataDirectory, name + ".key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            try
            {
                var existing = ServerCertificate.LoadPem(certificatePath, keyPath, selfSigned: true);
                if (existing.Leaf.NotAfter - RenewBefore > DateTime.Now)
                {
                    return existing;
                }
            }
            catch (CryptographicException)
            {
                // Damaged or half-written files: generate anew below.
            }
        }

        Directory.CreateDirectory(dataDirectory);
        using var certificate = Create(hosts);
        var keyPem = certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        WriteAtomically(keyPath, keyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(certificatePath, certificate.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return ServerCertificate.LoadPem(certificatePath, keyPath, selfSigned: true);
    }

    /// <summary>An ECDSA P-256 certificate for the given names (IP literals go in as IP SANs).</summary>
    public static X509Certificate2 Create(IReadOnlyList<string> hosts, string? commonName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + (commonName ?? (hosts.Count > 0 ? hosts[0] : "portcullis")), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (System.Net.IPAddress.TryParse(host, out var address))
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
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
    }

    private static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(temporary, content);
        }
        else
        {
            // Created with its final mode: a key written first and chmod-ed after is readable by
            // anyone who opens it in between. A leftover .tmp keeps its old mode, hence the delete.
            File.Delete(temporary);
            using (var writer = new StreamWriter(temporary, Encoding.UTF8, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            {
                writer.Write(content);
            }

            File.SetUnixFileMode(temporary, mode);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
