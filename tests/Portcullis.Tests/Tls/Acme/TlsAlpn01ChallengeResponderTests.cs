using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class TlsAlpn01ChallengeResponderTests : IDisposable
{
    private const string KeyAuthorization = "tok.thumb";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Find_AddedHost_ChallengeCertificateWithAcmeTls1Only()
    {
        var responder = new TlsAlpn01ChallengeResponder(directory: null);
        responder.Add("sso.example.com", "tok", KeyAuthorization);

        var options = responder.Find("sso.example.com");

        Assert.NotNull(options);
        Assert.Equal([TlsAlpn01ChallengeResponder.AcmeTls1], options.ApplicationProtocols);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        var certificate = options.ServerCertificateContext!.TargetCertificate;
        Assert.Equal(["sso.example.com"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(TlsAlpn01Certificate.ExtensionValue(KeyAuthorization), certificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]!.RawData);
    }

    [Fact]
    public void Find_SameChallengeTwice_SameCertificate()
    {
        var responder = new TlsAlpn01ChallengeResponder(directory: null);
        responder.Add("sso.example.com", "tok", KeyAuthorization);

        Assert.Same(responder.Find("sso.example.com"), responder.Find("SSO.Example.com")); // SNI compares without case
    }

    [Fact]
    public void Find_NewKeyAuthorizationForTheHost_NewCertificate()
    {
        var responder = new TlsAlpn01ChallengeResponder(directory: null);
        responder.Add("sso.example.com", "tok", KeyAuthorization);
        var first = responder.Find("sso.example.com")!.ServerCertificateContext!.TargetCertificate;

        responder.Add("sso.example.com", "tok2", "tok2.thumb");

        var second = responder.Find("sso.example.com")!.ServerCertificateContext!.TargetCertificate;
        Assert.Equal(TlsAlpn01Certificate.ExtensionValue("tok2.thumb"), second.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]!.RawData);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("other.example.com")]
    [InlineData("../sso.example.com")]
    [InlineData("sso.example.com/")]
    [InlineData("")]
    public void Find_NothingPendingForTheName_Null(string? serverName)
    {
        var responder = new TlsAlpn01ChallengeResponder(_directory.Path);
        responder.Add("sso.example.com", "tok", KeyAuthorization);

        Assert.Null(responder.Find(serverName));
    }

    [Fact]
    public void Find_Removed_Null()
    {
        var responder = new TlsAlpn01ChallengeResponder(_directory.Path);
        responder.Add("sso.example.com", "tok", KeyAuthorization);
        Assert.NotNull(responder.Find("sso.example.com"));

        responder.Remove("sso.example.com", "tok");

        Assert.Null(responder.Find("sso.example.com"));
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void Find_AnotherInstanceSharingTheDirectory_AnswersFromFileUntilRemoved()
    {
        var ordering = new TlsAlpn01ChallengeResponder(_directory.Path);
        var other = new TlsAlpn01ChallengeResponder(_directory.Path);

        ordering.Add("sso.example.com", "tok", KeyAuthorization);
        var answer = other.Find("sso.example.com");
        ordering.Remove("sso.example.com", "tok");

        Assert.NotNull(answer);
        Assert.Equal(TlsAlpn01Certificate.ExtensionValue(KeyAuthorization), answer.ServerCertificateContext!.TargetCertificate.Extensions[TlsAlpn01Certificate.AcmeIdentifierOid]!.RawData);
        Assert.Null(other.Find("sso.example.com"));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("*.example.com")]
    [InlineData(".example.com")]
    public void Add_NotADnsName_Throws(string host)
    {
        var responder = new TlsAlpn01ChallengeResponder(_directory.Path);

        Assert.Throws<ArgumentException>(() => responder.Add(host, "tok", KeyAuthorization));
        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path));
    }
}
