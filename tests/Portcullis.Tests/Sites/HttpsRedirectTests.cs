using Microsoft.AspNetCore.Http;
using Portcullis.Proxy.Sites;

namespace Portcullis.Tests.Sites;

public class HttpsRedirectTests
{
    [Theory]
    [InlineData("sso.example.com", "/", "", 443, "https://sso.example.com/")]
    [InlineData("sso.example.com:80", "/", "", 443, "https://sso.example.com/")]
    [InlineData("sso.example.com:8080", "/if/flow/x/", "?next=%2Fapp", 8443, "https://sso.example.com:8443/if/flow/x/?next=%2Fapp")]
    [InlineData("sso.example.com", "/application/o/authorize/", "?client_id=a&state=b", 443, "https://sso.example.com/application/o/authorize/?client_id=a&state=b")]
    [InlineData("[::1]:8080", "/a", "?b=c", 8443, "https://[::1]:8443/a?b=c")]
    [InlineData("sso.example.com", "/a b", "", 443, "https://sso.example.com/a%20b")]
    public void Location_PlainRequest_KeepsHostPathQueryAndNonDefaultPort(string host, string path, string query, int httpsPort, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);

        Assert.Equal(expected, HttpsRedirect.Location(context.Request, httpsPort));
    }
}
