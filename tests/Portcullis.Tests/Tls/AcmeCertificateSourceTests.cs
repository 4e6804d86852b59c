using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls;

/// <summary>
/// The ACME certificate source as the model builder makes it: nothing here starts an issuer (that
/// needs a CA; tests/Portcullis.Acme.Pebble does it against pebble), so nothing is ordered or written.
/// </summary>
public sealed class AcmeCertificateSourceTests : IDisposable
{
    private const string Directory = "https://acme.test/directory";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string DataDirectory => Path.Combine(_directory.Path, "data");

    private ProxyConfig Load(string hosts = "[sso.example.com]", string acme = "acme:\n  email: a@b.example\n  directory: " + Directory + "\n", string tls = "") =>
        ConfigLoader.LoadText($"""
            data_dir: {DataDirectory}
            sites:
              - hosts: {hosts}
            {tls}    routes:
                  - path: /
                    upstream: https://authentik:9443

            """ + acme, "portcullis.yaml", _directory.Path);

    private bool DataDirectoryIsEmpty() =>
        !System.IO.Directory.Exists(DataDirectory) || System.IO.Directory.EnumerateFileSystemEntries(DataDirectory).FirstOrDefault() is null;

    [Fact]
    public void Build_AcmeSiteNothingStored_ServesTemporarySelfSignedAndWritesNothing()
    {
        var model = RuntimeModelBuilder.Build(Load()).Model;

        var source = Assert.IsType<AcmeCertificateSource>(model.Sites.Find("sso.example.com")!.Certificate);
        Assert.True(source.Waiting);
        Assert.True(source.Certificate.SelfSigned);
        Assert.Contains("sso.example.com", source.Certificate.Leaf.GetNameInfo(X509NameType.DnsName, false));
        Assert.Contains("waiting for its first certificate", source.Description);
        Assert.Null(source.Issuer);
        Assert.Same(source, Assert.Single(model.AcmeSources.Values));
        Assert.True(DataDirectoryIsEmpty());
    }

    [Fact]
    public void Build_AcmeSiteWithStoredCertificate_ServesItAtOnce()
    {
        string[] hosts = ["sso.example.com"];
        using var stored = SelfSignedCertificateStore.Create(hosts);
        new AcmeStore(DataDirectory, new Uri(Directory)).SaveCertificate(hosts,
            AcmeCertificate.FromPem(stored.ExportCertificatePem(), stored.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));

        var source = Assert.IsType<AcmeCertificateSource>(RuntimeModelBuilder.Build(Load()).Model.Sites.Find("sso.example.com")!.Certificate);

        Assert.False(source.Waiting);
        Assert.Equal(stored.Thumbprint, source.Certificate.Leaf.Thumbprint);
        Assert.DoesNotContain("waiting", source.Description);
    }

    [Fact]
    public void Build_DryRunWithStoredCertificate_ReadsNothingAndWritesNothing()
    {
        var model = RuntimeModelBuilder.Build(Load(), dryRun: true).Model;

        var source = Assert.IsType<AcmeCertificateSource>(model.Sites.Find("sso.example.com")!.Certificate);
        Assert.True(source.Waiting);
        Assert.True(DataDirectoryIsEmpty());
    }

    [Fact]
    public void Build_AcmeOff_SelfSignedSourceAsBefore()
    {
        var model = RuntimeModelBuilder.Build(Load(acme: "")).Model;

        Assert.IsType<SelfSignedCertificateSource>(model.Sites.Find("sso.example.com")!.Certificate);
        Assert.Empty(model.AcmeSources);
    }

    [Fact]
    public void Build_SiteWithCertificateFiles_KeepsTheFilesUnderAcme()
    {
        using var certificate = SelfSignedCertificateStore.Create(["files.example.com"]);
        File.WriteAllText(Path.Combine(_directory.Path, "c.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.Path, "k.pem"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var model = RuntimeModelBuilder.Build(Load(hosts: "[files.example.com]", tls: "    tls: { certificate: c.pem, key: k.pem }\n")).Model;

        Assert.IsType<FileCertificateSource>(model.Sites.Find("files.example.com")!.Certificate);
        Assert.Empty(model.AcmeSources);
    }

    [Fact]
    public void Build_ReloadWithSameHostsAndAcme_ReusesTheSource()
    {
        var first = RuntimeModelBuilder.Build(Load()).Model;

        var second = RuntimeModelBuilder.Build(Load(), first).Model;

        Assert.Same(first.Sites.Find("sso.example.com")!.Certificate, second.Sites.Find("sso.example.com")!.Certificate);
    }

    [Theory]
    [InlineData("[sso.example.com, auth.example.com]", "acme:\n  email: a@b.example\n  directory: " + Directory + "\n")]
    [InlineData("[sso.example.com]", "acme:\n  email: other@b.example\n  directory: " + Directory + "\n")]
    [InlineData("[sso.example.com]", "acme:\n  email: a@b.example\n  directory: https://other-ca.test/directory\n")]
    public void Build_ReloadWithOtherHostsOrAcme_NewSource(string hosts, string acme)
    {
        var first = RuntimeModelBuilder.Build(Load()).Model;

        var second = RuntimeModelBuilder.Build(Load(hosts, acme), first).Model;

        Assert.NotSame(first.Sites.Find("sso.example.com")!.Certificate, second.Sites.Find("sso.example.com")!.Certificate);
        Assert.IsType<AcmeCertificateSource>(second.Sites.Find("sso.example.com")!.Certificate);
    }
}
