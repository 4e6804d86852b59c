using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeStoreTests : IDisposable
{
    private static readonly Uri Directory = new("https://ca.test/directory");
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void SiteDirectory_SameHostsOtherOrderOrCase_SameHashSuffix()
    {
        var store = new AcmeStore(_directory.Path, Directory);

        var first = Path.GetFileName(store.SiteDirectory(["a.example.com", "b.example.com"]));
        var reordered = Path.GetFileName(store.SiteDirectory(["B.example.com", "a.example.com"]));

        Assert.StartsWith("a.example.com-", first);
        Assert.StartsWith("b.example.com-", reordered);
        Assert.Equal(first[^12..], reordered[^12..]);
        Assert.NotEqual(first[^12..], Path.GetFileName(store.SiteDirectory(["a.example.com"]))[^12..]);
    }

    [Fact]
    public void Root_OtherDirectoryUrl_OtherRoot()
    {
        Assert.NotEqual(new AcmeStore(_directory.Path, Directory).Root, new AcmeStore(_directory.Path, new Uri("https://ca.test/other")).Root);
    }

    [Fact]
    public void LoadAccountKey_Saved_SameKey()
    {
        var store = new AcmeStore(_directory.Path, Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Null(store.LoadAccountKey());
        store.SaveAccountKey(key);

        using var loaded = store.LoadAccountKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), loaded.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void LoadAccountKey_Damaged_ThrowsNamingTheFile()
    {
        var store = new AcmeStore(_directory.Path, Directory);
        System.IO.Directory.CreateDirectory(store.Root);
        File.WriteAllText(store.AccountKeyPath, "garbage");

        var exception = Assert.Throws<CryptographicException>(() => store.LoadAccountKey());

        Assert.Contains(store.AccountKeyPath, exception.Message);
    }

    [Fact]
    public void LoadCertificate_KeyOfAnotherCertificate_Null()
    {
        // What a crash between writing privkey.pem and fullchain.pem leaves: a new key, the old chain.
        var store = new AcmeStore(_directory.Path, Directory);
        string[] hosts = ["a.example.com"];
        using var stored = SelfSignedCertificateStore.Create(hosts);
        using var other = SelfSignedCertificateStore.Create(hosts);
        store.SaveCertificate(hosts, AcmeCertificate.FromPem(stored.ExportCertificatePem(), stored.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        Assert.NotNull(store.LoadCertificate(hosts));

        File.WriteAllText(Path.Combine(store.SiteDirectory(hosts), "privkey.pem"), other.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        Assert.Null(store.LoadCertificate(hosts));
    }

    [Fact]
    public void LoadCertificate_NothingStored_Null()
    {
        Assert.Null(new AcmeStore(_directory.Path, Directory).LoadCertificate(["a.example.com"]));
    }
}
