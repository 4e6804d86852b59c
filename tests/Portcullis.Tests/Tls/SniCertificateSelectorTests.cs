using System.Security.Authentication;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Tls;

public class SniCertificateSelectorTests
{
    private static readonly CertificateSource Sso = Source("sso.example.com");
    private static readonly CertificateSource Default = Source("first.example.com");

    [Fact]
    public void Select_KnownName_ThatSitesCertificate()
    {
        var selector = new SniCertificateSelector(name => name == "sso.example.com" ? Sso : null, () => Default);

        Assert.Same(Sso.TlsOptions, selector.Select("sso.example.com"));
    }

    [Theory]
    [InlineData("unknown.example.com")]
    [InlineData(null)]
    public void Select_UnknownOrNoName_DefaultSitesCertificate(string? name)
    {
        var selector = new SniCertificateSelector(n => n == "sso.example.com" ? Sso : null, () => Default);

        Assert.Same(Default.TlsOptions, selector.Select(name));
    }

    [Fact]
    public void Select_NoSiteAtAll_HandshakeFails()
    {
        var selector = new SniCertificateSelector(_ => null, () => null);

        Assert.Throws<InvalidOperationException>(() => selector.Select("sso.example.com"));
    }

    [Fact]
    public void Select_SourceRenewed_NextHandshakeServesTheNewCertificate()
    {
        var source = new RenewingSource(Certificate("sso.example.com"));
        var selector = new SniCertificateSelector(_ => source, () => source);
        var before = selector.Select("sso.example.com").ServerCertificateContext!.TargetCertificate;

        var renewed = Certificate("sso.example.com");
        source.Renew(renewed);
        var after = selector.Select("sso.example.com").ServerCertificateContext!.TargetCertificate;

        Assert.NotEqual(before.Thumbprint, after.Thumbprint);
        Assert.Equal(renewed.Leaf.Thumbprint, after.Thumbprint);
        Assert.Equal(SslProtocols.Tls13, selector.Select("sso.example.com").EnabledSslProtocols);
    }

    private static ServerCertificate Certificate(string host) =>
        ServerCertificate.FromCertificate(SelfSignedCertificateStore.Create([host]), selfSigned: true);

    private static CertificateSource Source(string host) => new SelfSignedCertificateSource(Certificate(host), "in memory", SslProtocols.Tls13);

    // A source that renews itself, as the ACME source will.
    private sealed class RenewingSource(ServerCertificate first) : CertificateSource(first, SslProtocols.Tls13)
    {
        public override string Description => "test";

        public void Renew(ServerCertificate next) => Serve(next);
    }
}
