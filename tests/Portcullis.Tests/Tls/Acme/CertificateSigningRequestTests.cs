using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class CertificateSigningRequestTests
{
    [Fact]
    public void Create_TwoHosts_BothAreDnsSansAndKeyIsTheGivenP256Key()
    {
        using var key = CertificateSigningRequest.CreateKey();

        var der = CertificateSigningRequest.Create(["sso.example.com", "auth.example.com"], key);

        var csr = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var sans = csr.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToArray();
        Assert.Equal(["sso.example.com", "auth.example.com"], sans);
        Assert.Equal("CN=sso.example.com", csr.SubjectName.Name);
        using var csrKey = csr.PublicKey.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), csrKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(256, csrKey.KeySize);
    }

    [Fact]
    public void Create_HostLongerThanCommonNameLimit_SubjectEmptyAndHostInSan()
    {
        using var key = CertificateSigningRequest.CreateKey();
        var longHost = new string('a', 60) + ".example.com";

        var der = CertificateSigningRequest.Create([longHost], key);

        var csr = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("", csr.SubjectName.Name);
        Assert.Equal([longHost], csr.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void Create_NoHosts_Throws()
    {
        using var key = CertificateSigningRequest.CreateKey();

        Assert.Throws<ArgumentException>(() => CertificateSigningRequest.Create([], key));
    }
}
