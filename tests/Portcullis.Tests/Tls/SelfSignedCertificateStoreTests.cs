using System.Net;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Tls;

public sealed class SelfSignedCertificateStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void GetOrCreate_TwoCallsSameDataDirectory_ReturnsSameCertificate()
    {
        var first = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["sso.example.com"]);
        var second = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["sso.example.com"]);

        Assert.Equal(first.Leaf.Thumbprint, second.Leaf.Thumbprint);
        Assert.True(first.SelfSigned);
        Assert.True(second.Leaf.HasPrivateKey);
        Assert.Equal(2, Directory.GetFiles(_directory.Path).Length);
    }

    [Fact]
    public void GetOrCreate_OtherHosts_GetsOwnCertificate()
    {
        var sso = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["sso.example.com"]);
        var other = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["other.example.com"]);

        Assert.NotEqual(sso.Leaf.Thumbprint, other.Leaf.Thumbprint);
        Assert.Equal(4, Directory.GetFiles(_directory.Path).Length);
    }

    [Fact]
    public void GetOrCreate_NewDataDirectory_WritesKeyReadableByOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes; the ACL of the user profile applies
        }

        var dataDirectory = Path.Combine(_directory.Path, "data");

        SelfSignedCertificateStore.GetOrCreate(dataDirectory, ["sso.example.com"]);

        var key = Assert.Single(Directory.GetFiles(dataDirectory, "*.key"));
        var certificate = Assert.Single(Directory.GetFiles(dataDirectory, "*.crt"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(certificate));
        Assert.Empty(Directory.GetFiles(dataDirectory, "*.tmp"));
    }

    [Fact]
    public void GetOrCreate_DamagedFiles_GeneratesNewCertificate()
    {
        var first = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["sso.example.com"]);
        File.WriteAllText(Directory.GetFiles(_directory.Path, "*.crt")[0], "not a certificate");

        var second = SelfSignedCertificateStore.GetOrCreate(_directory.Path, ["sso.example.com"]);

        Assert.NotEqual(first.Leaf.Thumbprint, second.Leaf.Thumbprint);
    }

    [Fact]
    public void Create_HostsAndAddresses_PutsThemInSubjectAlternativeNames()
    {
        using var certificate = SelfSignedCertificateStore.Create(["sso.example.com", "127.0.0.1"]);

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["sso.example.com"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.Equal("CN=sso.example.com", certificate.Subject);
        Assert.True(certificate.HasPrivateKey);
        Assert.True(certificate.NotAfter > DateTime.Now.AddDays(300));
    }
}
