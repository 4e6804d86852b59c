using System.Net;
using System.Net.WebSockets;
using System.Text;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Emulator;

namespace Portcullis.EndToEnd.Auth;

/// <summary>
/// Forward auth end to end: a real Portcullis, the emulator as authentik's proxy outpost, a Kestrel
/// app behind it that records exactly what reached it.
/// </summary>
public sealed class ForwardAuthTests
{
    private const string Page = "/dashboard/?tab=1&x=%2F";

    /// <summary>A Kestrel app, a Portcullis protecting it with the emulator's outpost, whose external host is Portcullis's own.</summary>
    private sealed class ProtectedApp : IAsyncDisposable
    {
        private ProtectedApp(TestUpstream app, PortcullisInstance proxy, EmulatorServer outpost) => (App, Proxy, Outpost) = (app, proxy, outpost);

        public TestUpstream App { get; }

        public PortcullisInstance Proxy { get; }

        public EmulatorServer Outpost { get; }

        public static async Task<ProtectedApp> StartAsync()
        {
            var app = await TestUpstream.StartAsync();
            var proxy = await PortcullisInstance.StartAsync(Yaml.Site(new Uri("http://127.0.0.1:1")));
            var outpost = await TestEmulator.StartAsync(options => options with { OutpostExternalHost = $"https://localhost:{proxy.HttpsPort}" });
            var url = outpost.HttpUrls[0].GetLeftPart(UriPartial.Authority);
            Assert.Empty(await proxy.RewriteConfigAsync(Yaml.Site(app.Url, routeExtra: $"forward_auth: {{ outpost: \"{url}\" }}")));
            return new ProtectedApp(app, proxy, outpost);
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Outpost.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    private static HttpClient Browser(PortcullisInstance proxy, CookieContainer cookies, Version? version = null)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        client.DefaultRequestVersion = version ?? HttpVersion.Version11;
        // The emulator's sign-in page is plain HTTP, which has no HTTP/2 here: "or lower" there, Portcullis speaks the version asked.
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        return client;
    }

    /// <summary>The whole sign-in as a browser does it, through Portcullis: the page, the outpost's start, the sign-in form, the callback.</summary>
    private static async Task<Uri> SignInAsync(PortcullisInstance proxy, HttpClient browser, string user)
    {
        using var page = await browser.GetAsync(proxy.Https("localhost", Page));
        Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        var start = new Uri(proxy.Https("localhost"), page.Headers.Location!);
        using var startResponse = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, startResponse.StatusCode);
        var authorize = startResponse.Headers.Location!;
        using var form = await browser.GetAsync(authorize);
        Assert.Contains("portcullis-emulator-sign-in", await form.Content.ReadAsStringAsync());
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        var fields = new[] { "client_id", "redirect_uri", "response_type", "state" }.ToDictionary(key => key, key => query[key]!);
        fields["username"] = user;
        using var posted = await browser.PostAsync(authorize, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Found, posted.StatusCode);
        var callback = posted.Headers.Location!;
        Assert.Equal($"localhost:{proxy.HttpsPort}", callback.Authority);
        using var back = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        return new Uri(callback, back.Headers.Location!);
    }

    [Fact]
    public async Task Navigation_NotSignedIn_RedirectedToTheOutpostsStartOnTheSameHost_AppNotContacted()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        using var browser = Browser(proxy, new CookieContainer());

        using var response = await browser.GetAsync(proxy.Https("localhost", Page));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/outpost.goauthentik.io/start?rd=" + Uri.EscapeDataString($"https://localhost:{proxy.HttpsPort}{Page}"), response.Headers.Location!.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(outpost.OutpostCookieName + "=", StringComparison.Ordinal));
        Assert.Empty(app.Requests);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task SignInRoundTrip_CookieSticks_AppSeesTheOutpostsUser_AccessLogNamesIt(string version)
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        var cookies = new CookieContainer();
        using var browser = Browser(proxy, cookies, Version.Parse(version));

        var landing = await SignInAsync(proxy, browser, "alice");
        using var first = await browser.GetAsync(landing);
        using var second = await browser.GetAsync(proxy.Https("localhost", "/again"));

        Assert.Equal($"https://localhost:{proxy.HttpsPort}{Page}", landing.AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(Version.Parse(version), second.Version);
        var seen = app.Requests.ToArray();
        Assert.Equal(["/dashboard/", "/again"], seen.Select(r => r.Path));
        Assert.All(seen, request => Assert.Equal(["alice"], request.All("X-Authentik-Username")));
        Assert.All(seen, request => Assert.Equal(["emulator-users"], request.All("X-Authentik-Groups")));
        Assert.DoesNotContain(seen, request => request.All("X-Original-URL").Length > 0);
        await proxy.AccessLog.WaitForLineAsync(line => line.Contains(" - alice [") && line.Contains("/again"));
    }

    [Fact]
    public async Task ForgedIdentityHeaders_NeverReachTheApp_WithOrWithoutASession()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        var cookies = new CookieContainer();
        using var browser = Browser(proxy, cookies);

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/admin"));
        anonymous.Headers.TryAddWithoutValidation("X-authentik-username", "akadmin");
        anonymous.Headers.TryAddWithoutValidation("X_Authentik_Groups", "authentik Admins");
        using var refused = await browser.SendAsync(anonymous);
        var landing = await SignInAsync(proxy, browser, "bob");
        using var forged = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/admin"));
        forged.Headers.TryAddWithoutValidation("x-authentik-username", "akadmin");
        forged.Headers.TryAddWithoutValidation("X_Authentik_Groups", "authentik Admins");
        forged.Headers.TryAddWithoutValidation("X-authentik-meta-extra", "forged");
        using var allowed = await browser.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var seen = Assert.Single(app.Requests);
        Assert.Equal(["bob"], seen.All("X-Authentik-Username"));
        Assert.Equal(["emulator-users"], seen.All("X-Authentik-Groups"));
        Assert.Empty(seen.All("X_Authentik_Groups"));
        Assert.Empty(seen.All("X-authentik-meta-extra"));
        Assert.NotNull(landing);
    }

    [Fact]
    public async Task ClientSentOriginalUriOrForwardedHost_CannotChangeWhatTheOutpostJudges()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        using var client = proxy.CreateClient();

        // The emulator's provider allowlists /api/v3/emulator/app/public/: an outpost that read the
        // client's X-Original-URI would answer 200 for a protected path.
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/private"));
        request.Headers.TryAddWithoutValidation("X-Original-URI", "/api/v3/emulator/app/public/");
        request.Headers.TryAddWithoutValidation("X-Original-URL", $"https://localhost:{proxy.HttpsPort}/api/v3/emulator/app/public/");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "other.example");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(app.Requests);
    }

    [Fact]
    public async Task ApiCall_NotSignedIn_Gets401_NotARedirect()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        using var client = proxy.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.Https("localhost", "/api/items")) { Content = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("unauthorized request", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Requests);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task WebSocket_Protected_RefusedWithoutSession_OpensWithOne(string version)
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        var cookies = new CookieContainer();
        using var browser = Browser(proxy, cookies);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });

        using var anonymous = new ClientWebSocket();
        anonymous.Options.HttpVersion = Version.Parse(version);
        anonymous.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        anonymous.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(new Uri($"wss://localhost:{proxy.HttpsPort}/ws"), invoker, CancellationToken.None));
        await SignInAsync(proxy, browser, "carol");
        using var signedIn = new ClientWebSocket();
        signedIn.Options.HttpVersion = Version.Parse(version);
        signedIn.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var withCookies = new HttpMessageInvoker(new SocketsHttpHandler { CookieContainer = cookies, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        await signedIn.ConnectAsync(new Uri($"wss://localhost:{proxy.HttpsPort}/ws"), withCookies, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
        Assert.Equal("hi", await Forwarding.WebSocketTests.EchoAsync(signedIn, "hi"));
        var handshake = Assert.Single(app.Requests);
        Assert.Equal(["carol"], handshake.All("X-Authentik-Username"));
    }

    [Fact]
    public async Task OutpostUnreachable_FailsClosed_502NamingIt_AppNotContacted()
    {
        await using var app = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(app.Url, routeExtra: "forward_auth: { outpost: \"http://127.0.0.1:1\" }"));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("http://127.0.0.1:1", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Requests);
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Warning:") && line.Contains("forward auth: outpost http://127.0.0.1:1 failed"));
    }

    [Fact]
    public async Task OutpostDropsTheCheck_FailsClosed()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        using var client = proxy.CreateClient();

        // The emulated outpost drops the connection for this path, as a stopped outpost would.
        using var response = await client.GetAsync(proxy.Https("localhost", "/api/v3/emulator/app/outpost-down/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Empty(app.Requests);
    }

    [Fact]
    public async Task RequestBody_NotReadBeforeTheAnswer_SentOnceToTheApp()
    {
        await using var stack = await ProtectedApp.StartAsync();
        var (app, proxy, outpost) = (stack.App, stack.Proxy, stack.Outpost);
        var cookies = new CookieContainer();
        using var browser = Browser(proxy, cookies);
        await SignInAsync(proxy, browser, "dave");

        using var response = await browser.PostAsync(proxy.Https("localhost", "/upload"), new StringContent("payload-once"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(app.Requests);
        Assert.Equal("payload-once".Length, seen.BodyLength);
    }
}
