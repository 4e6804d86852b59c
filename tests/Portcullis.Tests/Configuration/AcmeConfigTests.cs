using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Configuration;

public sealed class AcmeConfigTests : ConfigTextTests
{
    [Fact]
    public void LoadText_NoAcmeSection_AcmeOff()
    {
        Assert.Null(Load(Site).Acme);
    }

    [Fact]
    public void LoadText_AcmeEmailOnly_LetsEncryptProductionAndNoExtraCa()
    {
        var acme = Load(Site + "acme:\n  email: admin@example.com\n").Acme;

        Assert.NotNull(acme);
        Assert.Equal("admin@example.com", acme.Email);
        Assert.Equal(new Uri(AcmeDirectories.LetsEncryptProduction), acme.Directory);
        Assert.Null(acme.CaPath);
        Assert.Equal(7, acme.Location.Line);
    }

    [Fact]
    public void LoadText_AcmeDirectoryAndCa_ReadsBoth()
    {
        var ca = Path.Combine(Temp.Path, "pebble.pem");
        File.WriteAllText(ca, "not checked by the reader");

        var acme = Load(Site + "acme:\n  email: a@b.example\n  directory: https://127.0.0.1:14000/dir\n  ca: pebble.pem\n").Acme;

        Assert.Equal(new Uri("https://127.0.0.1:14000/dir"), acme?.Directory);
        Assert.Equal(ca, acme?.CaPath);
    }

    [Fact]
    public void LoadText_AcmeWithoutEmail_ErrorNamesTheKeyToAdd()
    {
        var error = Assert.Single(Errors(Site + "acme:\n  directory: https://acme.example/dir\n"));

        Assert.Equal("acme", error.Key);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("email", error.Message);
        Assert.Contains("email: admin@domain.tld", error.Hint);
    }

    [Theory]
    [InlineData("mailto:admin@example.com")]
    [InlineData("admin")]
    [InlineData("a@b.example, c@d.example")]
    public void LoadText_AcmeEmailNotAnAddress_Error(string email)
    {
        var error = Assert.Single(Errors(Site + $"acme:\n  email: \"{email}\"\n"));

        Assert.Equal("acme.email", error.Key);
        Assert.Equal(7, error.Location.Line);
    }

    [Theory]
    [InlineData("http://acme.example/directory")]
    [InlineData("acme.example/directory")]
    public void LoadText_AcmeDirectoryNotHttps_Error(string directory)
    {
        var error = Assert.Single(Errors(Site + $"acme:\n  email: a@b.example\n  directory: {directory}\n"));

        Assert.Equal("acme.directory", error.Key);
        Assert.Contains(AcmeDirectories.LetsEncryptProduction, error.Hint);
    }

    [Fact]
    public void LoadText_AcmeCaMissing_ErrorNamesTheFile()
    {
        var error = Assert.Single(Errors(Site + "acme:\n  email: a@b.example\n  ca: missing.pem\n"));

        Assert.Equal("acme.ca", error.Key);
        Assert.Contains("missing.pem", error.Message);
    }

    [Fact]
    public void LoadText_AcmeUnknownKey_ErrorSuggestsTheKnownOne()
    {
        var error = Assert.Single(Errors(Site + "acme:\n  email: a@b.example\n  emial: x\n"));

        Assert.Equal("acme.emial", error.Key);
        Assert.Contains("email", error.Hint);
    }

    [Fact]
    public void LoadText_AcmeWithWildcardSite_ErrorNamesHostAndFix()
    {
        var yaml = Site.Replace("[sso.example.com]", "[\"*.example.com\"]") + "acme:\n  email: a@b.example\n";

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("sites[0].hosts", error.Key);
        Assert.Contains("*.example.com", error.Message);
        Assert.Contains("dns-01", error.Message);
        Assert.Contains("tls.certificate", error.Hint);
    }

    [Fact]
    public void LoadText_WildcardSiteWithCertificateFiles_NoAcmeError()
    {
        File.WriteAllText(Path.Combine(Temp.Path, "c.pem"), "");
        File.WriteAllText(Path.Combine(Temp.Path, "k.pem"), "");
        var yaml = Site.Replace("[sso.example.com]", "[\"*.example.com\"]\n    tls: { certificate: c.pem, key: k.pem }") + "acme:\n  email: a@b.example\n";

        var config = Load(yaml);

        Assert.False(ConfigValidator.UsesAcme(config, config.Sites[0]));
    }

    [Fact]
    public void LoadText_AcmeNoChallengesWritten_Http01ThenTlsAlpn01()
    {
        var config = Load(Site + "acme:\n  email: a@b.example\n");

        Assert.Null(config.Acme!.Challenges);
        Assert.Equal(["http-01", "tls-alpn-01"], config.Acme.ChallengesFor(config.Listen));
    }

    [Fact]
    public void LoadText_AcmeWithoutHttpListener_AnswersTlsAlpn01Only()
    {
        // RFC 8737: a host whose port 80 is closed still gets a certificate, in the TLS handshake.
        var config = Load(Site + "listen:\n  https: [\"0.0.0.0:443\"]\n  http: []\nacme:\n  email: a@b.example\n");

        Assert.Equal(["tls-alpn-01"], config.Acme!.ChallengesFor(config.Listen));
    }

    [Fact]
    public void LoadText_AcmeChallengesWritten_KeptInThatOrder()
    {
        var config = Load(Site + "acme:\n  email: a@b.example\n  challenges: [tls-alpn-01, http-01]\n");

        Assert.Equal(["tls-alpn-01", "http-01"], config.Acme!.ChallengesFor(config.Listen));
    }

    [Theory]
    [InlineData("[dns-01]", "dns-01 is not implemented")]
    [InlineData("[http-02]", "'http-02' is not a challenge")]
    [InlineData("[http-01, http-01]", "listed twice")]
    [InlineData("[]", "is empty")]
    public void LoadText_AcmeChallengesInvalid_ErrorOnTheKeyWithTheChoices(string challenges, string message)
    {
        var error = Assert.Single(Errors(Site + $"acme:\n  email: a@b.example\n  challenges: {challenges}\n"));

        Assert.Equal("acme.challenges", error.Key);
        Assert.Equal(8, error.Location.Line);
        Assert.Contains(message, error.Message);
        Assert.Contains("tls-alpn-01", error.Hint);
    }

    [Fact]
    public void LoadText_AcmeHttp01WithoutHttpListener_ErrorSaysHttp01NeedsOne()
    {
        var error = Assert.Single(Errors(Site + "listen:\n  https: [\"0.0.0.0:443\"]\n  http: []\nacme:\n  email: a@b.example\n  challenges: [http-01]\n"));

        Assert.Equal("acme.challenges", error.Key);
        Assert.Contains("listen.http", error.Message);
        Assert.Contains("http-01", error.Message);
        Assert.Contains("80", error.Hint);
        Assert.Contains("challenges: [tls-alpn-01]", error.Hint);
    }

    [Fact]
    public void LoadText_AcmeTlsAlpn01WithoutHttpsListener_ErrorSaysItNeedsOne()
    {
        var error = Assert.Single(Errors(Site + "listen:\n  https: []\n  http: [\"0.0.0.0:80\"]\nacme:\n  email: a@b.example\n  challenges: [tls-alpn-01]\n"));

        Assert.Equal("acme.challenges", error.Key);
        Assert.Contains("listen.https", error.Message);
        Assert.Contains("443", error.Hint);
    }

    [Fact]
    public void LoadText_AcmeWithoutAnyListener_ErrorSaysNoChallengeCanBeAnswered()
    {
        var errors = Errors(Site + "listen:\n  https: []\n  http: []\nacme:\n  email: a@b.example\n");

        Assert.Contains(errors, e => e.Key == "acme" && e.Message.Contains("neither an HTTP listener", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AcmeTlsAlpn01WithoutPort443_WarnsAboutThePortMapping()
    {
        var config = Load(Site + "listen:\n  https: [\"0.0.0.0:8443\"]\n  http: [\"0.0.0.0:80\"]\nacme:\n  email: a@b.example\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.Contains(result.Warnings, w => w.Contains("port 443", StringComparison.Ordinal) && w.Contains("443:8443", StringComparison.Ordinal));
        Assert.True(result.Model.AnswersTlsAlpn01);
    }

    [Fact]
    public void Build_AcmeHttp01Only_DoesNotAnswerTlsAlpn01()
    {
        var config = Load(Site + "listen:\n  https: [\"0.0.0.0:8443\"]\n  http: [\"0.0.0.0:80\"]\nacme:\n  email: a@b.example\n  challenges: [http-01]\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.DoesNotContain(result.Warnings, w => w.Contains("port 443", StringComparison.Ordinal));
        Assert.False(result.Model.AnswersTlsAlpn01);
    }

    [Fact]
    public void Build_AcmeWithoutPort80_WarnsAboutThePortMapping()
    {
        var config = Load(Site + "listen:\n  http: [\"0.0.0.0:8080\"]\nacme:\n  email: a@b.example\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.Contains(result.Warnings, w => w.Contains("port 80", StringComparison.Ordinal) && w.Contains("80:8080", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AcmeWithPort80_NoPortWarning()
    {
        var config = Load(Site + "listen:\n  http: [\"0.0.0.0:80\"]\nacme:\n  email: a@b.example\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.DoesNotContain(result.Warnings, w => w.Contains("port 80", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AcmeCaWithoutCertificate_ErrorOnAcmeCa()
    {
        File.WriteAllText(Path.Combine(Temp.Path, "empty.pem"), "no certificate here\n");
        var config = Load(Site + "acme:\n  email: a@b.example\n  ca: empty.pem\n");

        var error = Assert.Single(Assert.Throws<ConfigException>(() => RuntimeModelBuilder.Build(config, dryRun: true)).Errors);

        Assert.Equal("acme.ca", error.Key);
        Assert.Contains("empty.pem", error.Message);
    }

    [Fact]
    public void Build_SiteWithTlsAcmeFalse_SelfSignedWhileTheOtherSiteUsesAcme()
    {
        var config = Load(Site + "  - hosts: [\"*.internal.example.com\"]\n    tls: { acme: false }\n    routes: [{ path: /, upstream: \"https://authentik:9443\" }]\nacme:\n  email: a@b.example\n");

        var model = RuntimeModelBuilder.Build(config, dryRun: true).Model;

        Assert.False(ConfigValidator.UsesAcme(config, config.Sites[1]));
        Assert.IsType<AcmeCertificateSource>(model.Sites.Find("sso.example.com")!.Certificate);
        Assert.IsNotType<AcmeCertificateSource>(model.Sites.Find("x.internal.example.com")!.Certificate);
        Assert.Single(model.AcmeSources);
    }

    [Fact]
    public void LoadText_AcmeSiteWithIpAddressHost_ErrorNamesTheAddressAndTheWayOut()
    {
        var error = Assert.Single(Errors("sites:\n  - hosts: [\"192.0.2.10\"]\n    routes: [{ path: /, upstream: \"https://authentik:9443\" }]\nacme:\n  email: a@b.example\n"));

        Assert.Equal("sites[0].hosts", error.Key);
        Assert.Contains("'192.0.2.10' is an IP address", error.Message);
        Assert.Contains("tls.acme: false", error.Hint);
    }

    [Theory]
    [InlineData("sso.lan")]
    [InlineData("auth.home.arpa")]
    [InlineData("sso")]
    [InlineData("sso.internal")]
    public void Build_LetsEncryptAndANameOutsideThePublicDns_Warns(string host)
    {
        var config = Load($"sites:\n  - hosts: [{host}]\n    routes: [{{ path: /, upstream: \"https://authentik:9443\" }}]\nacme:\n  email: a@b.example\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.Contains(result.Warnings, w => w.Contains($"'{host}' is not a name in the public DNS", StringComparison.Ordinal) && w.Contains("tls.acme: false", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_PrivateCaAndAnInternalName_NoWarning()
    {
        // step-ca issues for names Let's Encrypt would refuse.
        var config = Load("sites:\n  - hosts: [sso.internal]\n    routes: [{ path: /, upstream: \"https://authentik:9443\" }]\nacme:\n  email: a@b.example\n  directory: https://ca.internal/acme/acme/directory\n");

        var result = RuntimeModelBuilder.Build(config, dryRun: true);

        Assert.DoesNotContain(result.Warnings, w => w.Contains("public DNS", StringComparison.Ordinal));
    }
}
