using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeProblemExceptionTests
{
    private static readonly AcmeIdentifier Host = AcmeIdentifier.Dns("sso.example.com");

    [Theory]
    [InlineData("connection", "port 80 of sso.example.com is not reachable from the internet")]
    [InlineData("dns", "DNS for sso.example.com does not resolve, or points elsewhere")]
    [InlineData("unauthorized", "the CA did not get Portcullis's answer at http://sso.example.com/.well-known/acme-challenge/")]
    [InlineData("incorrectResponse", "the CA did not get Portcullis's answer at http://sso.example.com/.well-known/acme-challenge/")]
    [InlineData("tls", "could not complete TLS with sso.example.com")]
    [InlineData("caa", "a CAA record of sso.example.com does not allow this CA")]
    [InlineData("rejectedIdentifier", "will not issue a certificate for sso.example.com")]
    [InlineData("unsupportedIdentifier", "does not support the identifier sso.example.com")]
    [InlineData("rateLimited", "the CA's rate limit was hit: Portcullis retries later")]
    [InlineData("badNonce", "rejected the request's nonce")]
    [InlineData("userActionRequired", "the CA requires an action from you")]
    [InlineData("externalAccountRequired", "external account binding")]
    [InlineData("accountDoesNotExist", "remove the account key from data_dir")]
    [InlineData("invalidContact", "refused the contact e-mail address")]
    [InlineData("unsupportedContact", "refused the contact e-mail address")]
    [InlineData("badCSR", "refused the certificate request for sso.example.com")]
    [InlineData("badPublicKey", "does not accept P-256")]
    [InlineData("badSignatureAlgorithm", "does not accept P-256")]
    [InlineData("orderNotReady", "finalized before every authorization was valid")]
    [InlineData("alreadyReplaced", "already renewed")]
    [InlineData("serverInternal", "internal error")]
    [InlineData("malformed", "found the request malformed")]
    [InlineData("somethingNew", "the ACME server refused the request (type urn:ietf:params:acme:error:somethingNew, status 400)")]
    public void Message_AcmeErrorType_SaysWhatToFix(string type, string expected)
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + type, Detail = "server detail", Status = 400 };

        var exception = new AcmeProblemException(problem, identifier: Host);

        Assert.Contains(expected, exception.Message);
        Assert.EndsWith($"(the ACME server said: server detail; problem type urn:ietf:params:acme:error:{type})", exception.Message);
        Assert.Equal(type, exception.ErrorName);
    }

    [Theory]
    [InlineData("Get \"http://sso.example.com/.well-known/acme-challenge/x\": could not resolve URL")]
    [InlineData("dial tcp: lookup sso.example.com: no such host")]
    [InlineData("DNS problem: NXDOMAIN looking up A for sso.example.com")]
    public void Message_ConnectionProblemAboutResolution_SaysDns(string detail)
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = detail };

        Assert.StartsWith("DNS for sso.example.com does not resolve", new AcmeProblemException(problem, identifier: Host).Message);
    }

    [Fact]
    public void Message_ConnectionRefused_SaysPort80()
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection", Detail = "dial tcp 192.0.2.1:80: connect: connection refused" };

        Assert.StartsWith("port 80 of sso.example.com is not reachable", new AcmeProblemException(problem, identifier: Host).Message);
    }

    [Fact]
    public void Message_RateLimitedWithRetryAfter_NamesTheWait()
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "rateLimited" };

        var exception = new AcmeProblemException(problem, retryAfter: TimeSpan.FromMinutes(90));

        Assert.StartsWith("the CA's rate limit was hit: Portcullis retries after 1.5 h", exception.Message);
        Assert.Equal(TimeSpan.FromMinutes(90), exception.RetryAfter);
    }

    [Fact]
    public void Message_CompoundWithSubproblems_NamesEachIdentifier()
    {
        var problem = new AcmeProblem
        {
            Type = AcmeProblem.AcmeErrorPrefix + "compound",
            Subproblems =
            [
                new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "dns", Identifier = AcmeIdentifier.Dns("a.example.com") },
                new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "caa", Identifier = AcmeIdentifier.Dns("b.example.com") },
            ],
        };

        var message = new AcmeProblemException(problem).Message;

        Assert.Contains("DNS for a.example.com does not resolve", message);
        Assert.Contains("a CAA record of b.example.com", message);
    }

    [Fact]
    public void Message_UserActionRequiredWithInstance_NamesTheUrl()
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "userActionRequired", Instance = "https://ca.test/tos-v2" };

        Assert.Contains("visit https://ca.test/tos-v2", new AcmeProblemException(problem).Message);
    }

    [Fact]
    public void Message_NoIdentifier_SaysTheSitesHost()
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + "connection" };

        Assert.StartsWith("port 80 of the site's host is not reachable", new AcmeProblemException(problem).Message);
    }

    [Theory]
    [InlineData("connection", "port 443 of sso.example.com is not reachable")]
    [InlineData("unauthorized", "the CA did not get Portcullis's tls-alpn-01 certificate from port 443 of sso.example.com")]
    [InlineData("tls", "the CA did not get Portcullis's tls-alpn-01 certificate from port 443 of sso.example.com")]
    public void Message_TlsAlpn01Validation_NamesPort443AndTlsTerminatingProxies(string type, string start)
    {
        var problem = new AcmeProblem { Type = AcmeProblem.AcmeErrorPrefix + type };

        var message = new AcmeProblemException(problem, identifier: AcmeIdentifier.Dns("sso.example.com"), challengeType: AcmeChallenge.TlsAlpn01).Message;

        Assert.StartsWith(start, message);
        Assert.DoesNotContain("port 80", message);
    }
}
