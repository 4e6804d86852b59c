using Portcullis.Check.Upstream;

namespace Portcullis.Check.Tests.Upstream;

public class SystemViewSnapshotTests
{
    // A real authentik's system view: Django META keys, no conclusions of its own.
    private const string AuthentikBody = """
        {
          "http_headers": {
            "HTTP_HOST": "sso.domain.tld",
            "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7",
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "172.18.0.3"
          },
          "http_host": "sso.domain.tld",
          "http_is_secure": true,
          "runtime": {}
        }
        """;

    [Fact]
    public void Parse_RealAuthentik_DerivesLeftmostClientIpFromMetaKeys()
    {
        var view = SystemViewSnapshot.Parse(AuthentikBody)!;

        Assert.False(view.IsEmulator);
        Assert.Equal("6.6.6.6", view.ClientIp);
        Assert.True(view.ClientIpDerived);
        Assert.Equal("https", view.Header("X-Forwarded-Proto"));
        Assert.Equal(["HTTP_X_FORWARDED_FOR: 6.6.6.6, 203.0.113.7"], view.ClientIpHeadersContaining("6.6.6.6"));
    }

    [Theory]
    [InlineData("X_Forwarded_For")]
    [InlineData("x-forwarded-for")]
    [InlineData("HTTP_X_FORWARDED_FOR")]
    public void HeadersMeaning_FoldsUnderscoresCaseAndMetaPrefix(string key)
    {
        var view = SystemViewSnapshot.Parse($$"""{"http_headers": {"{{key}}": "6.6.6.6"}, "http_host": "h", "http_is_secure": false, "client_ip": "127.0.0.1"}""")!;

        Assert.True(view.IsEmulator);
        Assert.Equal("6.6.6.6", view.Header("X-Forwarded-For"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"detail": "Authentication credentials were not provided."}""")]
    [InlineData("[]")]
    public void Parse_NotASystemView_IsNull(string body) => Assert.Null(SystemViewSnapshot.Parse(body));

    [Theory]
    [InlineData("max-age=63072000; includeSubDomains", CheckStatus.Pass)]
    [InlineData("max-age=31536000", CheckStatus.Pass)]
    [InlineData("max-age=300", CheckStatus.Warn)]
    [InlineData("includeSubDomains", CheckStatus.Fail)]
    [InlineData(null, CheckStatus.Fail)]
    public void Hsts_MaxAge_Judged(string? header, CheckStatus expected) =>
        Assert.Equal(expected, Portcullis.Check.Http.RedirectChecks.Hsts(header, "GET /").Status);
}
