using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portcullis.Proxy.Sites;

namespace Portcullis.Tests.Sites;

public class StrictTransportSecurityTests
{
    private const string Ours = "max-age=63072000";
    private const string Apps = "max-age=31536000; includeSubDomains; preload";

    [Theory]
    // Not configured: the app's own header is kept (preload eligibility), ours only when it sends none.
    [InlineData(true, Ours, false, null, Ours)]
    [InlineData(true, Ours, false, Apps, Apps)]
    // Configured on purpose: ours replaces the app's; false removes it.
    [InlineData(true, "max-age=600", true, Apps, "max-age=600")]
    [InlineData(true, null, true, Apps, null)]
    // Turned off without a key (cannot happen from a file, but the model allows it): the app's passes.
    [InlineData(true, null, false, Apps, Apps)]
    // RFC 6797 §7.2: never over plain HTTP, not even the app's.
    [InlineData(false, Ours, false, Apps, null)]
    [InlineData(false, Ours, true, null, null)]
    public void Apply_Policy_ExactlyOneHeaderOrNone(bool https, string? hsts, bool configured, string? upstream, string? expected)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (upstream is not null)
        {
            headers.StrictTransportSecurity = upstream;
        }

        StrictTransportSecurity.Apply(https, headers, hsts, configured);

        Assert.Equal(expected is null ? Array.Empty<string>() : [expected], headers.StrictTransportSecurity.ToArray());
    }

    [Fact]
    public void Apply_UpstreamSentTwo_KeepsOnlyTheFirst()
    {
        // RFC 6797 §8.1: the browser heeds only the first; a second one is noise.
        IHeaderDictionary headers = new HeaderDictionary { ["Strict-Transport-Security"] = new StringValues([Apps, "max-age=0"]) };

        StrictTransportSecurity.Apply(https: true, headers, Ours, configured: false);

        Assert.Equal(new[] { Apps }, headers.StrictTransportSecurity.ToArray());
    }
}
