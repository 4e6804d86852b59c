using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Tls;

namespace Portcullis.Tests.Tls;

public sealed class UpstreamCertificatePolicyTests : IDisposable
{
    private const string Host = "authentik.internal";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Validate_SelfSignedWithoutCa_RejectsAndNamesCertificateAndSettings()
    {
        using var certificate = SelfSignedCertificateStore.Create([Host]);
        var policy = new UpstreamCertificatePolicy(UpstreamTlsConfig.Default);

        var accepted = Validate(policy, certificate, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.False(accepted);
        var rejection = policy.RejectionFor(Host);
        Assert.NotNull(rejection);
        Assert.StartsWith("the upstream's certificate was rejected: it is not signed by a trusted CA", rejection);
        Assert.Contains($"subject \"CN={Host}\"", rejection);
        Assert.Contains("SHA-256 fingerprint " + CertificateFacts.Fingerprint(certificate), rejection);
        Assert.Contains($"upstream_tls.pin_sha256: [\"{CertificateFacts.SpkiPin(certificate)}\"]", rejection);
        Assert.Contains("set upstream_tls.ca to the CA that signed it", rejection);
        Assert.Contains("upstream_tls.verify: false", rejection);
        Assert.Equal(rejection, policy.RejectionFor(Host.ToUpperInvariant()));
    }

    [Fact]
    public void RejectionFor_HostNotSeen_ReturnsLastRejection()
    {
        // A handshake to an IP upstream does not always name the host; the 502 page still explains.
        using var certificate = SelfSignedCertificateStore.Create([Host]);
        var policy = new UpstreamCertificatePolicy(UpstreamTlsConfig.Default);
        Assert.Null(policy.RejectionFor("10.0.0.5"));

        policy.Validate(new object(), certificate, null, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.Contains(CertificateFacts.Fingerprint(certificate), policy.RejectionFor("10.0.0.5"));
    }

    [Fact]
    public void Validate_NameMismatch_SaysWhichName()
    {
        using var certificate = SelfSignedCertificateStore.Create(["other.internal"]);
        var policy = new UpstreamCertificatePolicy(UpstreamTlsConfig.Default);

        Assert.False(Validate(policy, certificate, SslPolicyErrors.RemoteCertificateNameMismatch));

        Assert.StartsWith($"the upstream's certificate was rejected: it is not valid for the name '{Host}';", policy.RejectionFor(Host));
    }

    [Fact]
    public void Validate_NoCertificate_Rejects()
    {
        var policy = new UpstreamCertificatePolicy(UpstreamTlsConfig.Default);

        Assert.False(policy.Validate(Sender(), null, null, SslPolicyErrors.RemoteCertificateNotAvailable));

        Assert.Equal("the upstream sent no certificate", policy.RejectionFor(Host));
    }

    [Fact]
    public void Validate_ChainValid_AcceptsAndForgetsEarlierRejection()
    {
        using var certificate = SelfSignedCertificateStore.Create([Host]);
        var policy = new UpstreamCertificatePolicy(UpstreamTlsConfig.Default);
        Validate(policy, certificate, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.True(Validate(policy, certificate, SslPolicyErrors.None));

        Assert.Null(policy.RejectionFor(Host));
    }

    [Fact]
    public void Validate_PinMatches_Accepts()
    {
        using var certificate = SelfSignedCertificateStore.Create([Host]);
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { PinSha256 = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", CertificateFacts.SpkiPin(certificate)] });

        Assert.True(Validate(policy, certificate, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Null(policy.RejectionFor(Host));
    }

    [Fact]
    public void Validate_PinDoesNotMatch_RejectsEvenAValidChain()
    {
        using var certificate = SelfSignedCertificateStore.Create([Host]);
        using var other = SelfSignedCertificateStore.Create([Host]);
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { PinSha256 = [CertificateFacts.SpkiPin(other)] });

        Assert.False(Validate(policy, certificate, SslPolicyErrors.None));

        var rejection = policy.RejectionFor(Host);
        Assert.StartsWith("the upstream's certificate was rejected: its key matches no pin_sha256;", rejection);
        Assert.Contains(CertificateFacts.SpkiPin(certificate), rejection);
    }

    [Fact]
    public void Validate_CaFileSignedTheLeaf_Accepts()
    {
        using var ca = TestCertificates.CreateCa();
        using var leaf = TestCertificates.CreateLeaf(ca, Host);
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { CaPath = _directory.Write("ca.pem", ca.ExportCertificatePem()) });

        Assert.True(Validate(policy, leaf, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Null(policy.RejectionFor(Host));
    }

    [Fact]
    public void Validate_CaFileOfAnotherCa_RejectsNamingTheCaSetting()
    {
        using var ca = TestCertificates.CreateCa();
        using var otherCa = TestCertificates.CreateCa("Someone Else's CA");
        using var leaf = TestCertificates.CreateLeaf(otherCa, Host);
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { CaPath = _directory.Write("ca.pem", ca.ExportCertificatePem()) });

        Assert.False(Validate(policy, leaf, SslPolicyErrors.RemoteCertificateChainErrors));

        var rejection = policy.RejectionFor(Host);
        Assert.StartsWith("the upstream's certificate was rejected: it is not signed by the CA in upstream_tls.ca", rejection);
        Assert.Contains("issuer \"CN=Someone Else's CA\"", rejection);
    }

    [Fact]
    public void Validate_CaFileButNameMismatch_Rejects()
    {
        using var ca = TestCertificates.CreateCa();
        using var leaf = TestCertificates.CreateLeaf(ca, "other.internal");
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { CaPath = _directory.Write("ca.pem", ca.ExportCertificatePem()) });

        Assert.False(Validate(policy, leaf, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.NotNull(policy.RejectionFor(Host));
    }

    [Fact]
    public void Constructor_CaFileWithoutCertificate_Throws()
    {
        var path = _directory.Write("ca.pem", "not a certificate\n");

        var exception = Assert.Throws<InvalidDataException>(() => new UpstreamCertificatePolicy(new UpstreamTlsConfig { CaPath = path }));

        Assert.Equal($"'{path}' holds no PEM certificate.", exception.Message);
    }

    [Theory]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors)]
    [InlineData(SslPolicyErrors.RemoteCertificateNameMismatch)]
    [InlineData(SslPolicyErrors.RemoteCertificateNotAvailable)]
    public void Validate_VerifyFalse_AcceptsAnything(SslPolicyErrors errors)
    {
        using var certificate = SelfSignedCertificateStore.Create(["anything"]);
        var policy = new UpstreamCertificatePolicy(new UpstreamTlsConfig { Verify = false });

        Assert.True(Validate(policy, certificate, errors));
        Assert.Null(policy.RejectionFor(Host));
    }

    private static bool Validate(UpstreamCertificatePolicy policy, X509Certificate2 certificate, SslPolicyErrors errors) =>
        policy.Validate(Sender(), certificate, null, errors);

    private static HttpRequestMessage Sender() => new(HttpMethod.Get, $"https://{Host}:9443/");
}
