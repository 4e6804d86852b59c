using System.Security.Authentication;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Sites;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Model;

public class SiteTableTests
{
    private static readonly ServerCertificate Certificate = ServerCertificate.FromCertificate(SelfSignedCertificateStore.Create(["portcullis.test"]), selfSigned: true);

    private static readonly Site Sso = NewSite("sso.example.com");
    private static readonly Site Apps = NewSite("*.apps.example.com");
    private static readonly Site Exact = NewSite("special.apps.example.com", "www.example.org");
    private static readonly SiteTable Table = new([Sso, Apps, Exact]);

    public static TheoryData<string?, Site?> Lookups => new()
    {
        { "sso.example.com", Sso },
        { "SSO.Example.COM", Sso },
        { "grafana.apps.example.com", Apps },
        { "Grafana.APPS.example.com", Apps },
        { "special.apps.example.com", Exact }, // an exact name beats the wildcard
        { "www.example.org", Exact },
        { "apps.example.com", null }, // the wildcard needs a label
        { "a.b.apps.example.com", null }, // and matches one label only (RFC 6125 §6.4.3)
        { "evil.example", null },
        { "example.com", null },
        { "", null },
        { null, null },
    };

    [Theory]
    [MemberData(nameof(Lookups))]
    public void Find_HostName_ReturnsOwningSite(string? host, Site? expected)
    {
        Assert.Same(expected, Table.Find(host));
    }

    [Fact]
    public void Sites_AsGiven_KeepsOrder()
    {
        Assert.Equal([Sso, Apps, Exact], Table.Sites);
        Assert.Null(new SiteTable([]).Find("sso.example.com"));
    }

    private static Site NewSite(params string[] hosts) =>
        new(hosts, new SelfSignedCertificateSource(Certificate, "in memory", SslProtocols.Tls13), "max-age=63072000", hstsOverridesUpstream: false, redirectHttp: true, routes: []);
}
