using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Forwarding;

/// <summary>Point 11: limits that fit identity providers, timeouts, and what the client sees when the upstream fails.</summary>
public sealed class LimitsAndErrorsTests
{
    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Cookie32KiB_ReachesUpstreamWhole(string version)
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient(Version.Parse(version));
        var cookie = "authentik_session=" + new string('a', 32 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.Https("localhost", "/")) { Version = Version.Parse(version) };
        request.Headers.TryAddWithoutValidation("Cookie", cookie);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([cookie], Assert.Single(upstream.Requests).All("Cookie"));
    }

    [Fact]
    public async Task UpstreamResponseHeaders64KiB_PassToClient()
    {
        var big = new string('b', 60 * 1024);
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/big", c =>
        {
            c.Response.Headers["Set-Cookie"] = "authentik_session=" + big;
            return c.Response.WriteAsync("ok");
        }));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/big"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("authentik_session=" + big, Assert.Single(response.Headers.GetValues("Set-Cookie")));
    }

    [Fact]
    public async Task Body40MiB_Passes_DeclaredBodyOverLimit_413WithHsts()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        using var large = await client.PostAsync(proxy.Https("localhost", "/upload"), new ByteArrayContent(new byte[40 * 1024 * 1024]));
        var tooLarge = await RawHttp.SendAsync(proxy.HttpsUrl, $"POST /upload HTTP/1.1\nHost: localhost:{proxy.HttpsPort}\nContent-Length: {101L * 1024 * 1024}\n\n");

        Assert.Equal(HttpStatusCode.OK, large.StatusCode);
        Assert.Equal(40L * 1024 * 1024, Assert.Single(upstream.Requests).BodyLength);
        Assert.Equal(413, tooLarge.Status);
        Assert.Equal(["max-age=63072000"], tooLarge.All("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ChunkedBodyOverConfiguredLimit_413()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("limits: { max_request_body: 1KiB }\n" + Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        var content = new StreamContent(new MemoryStream(new byte[64 * 1024]));
        content.Headers.ContentLength = null;

        using var response = await client.PostAsync(proxy.Https("localhost", "/upload"), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task UpstreamDown_502AtOnce_NamingTheUpstream_ThenServesWhenItComesUp()
    {
        var port = FreePort();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(new Uri($"http://127.0.0.1:{port}")));
        using var client = proxy.CreateClient();

        var watch = Stopwatch.StartNew();
        using var down = await client.GetAsync(proxy.Https("localhost", "/"));
        watch.Stop();
        var page = await down.Content.ReadAsStringAsync();
        await using var upstream = await TestUpstream.StartAsync(port: port);
        using var up = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", page);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"502 took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Warning:") && line.Contains($"127.0.0.1:{port}"));
    }

    [Fact]
    public async Task UpstreamSlow_504AfterResponseTimeout()
    {
        var release = new TaskCompletionSource();
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/slow", async c =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await c.Response.WriteAsync("late");
        }));
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { upstream_response: 1s }\n" + Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        using var response = await client.GetAsync(proxy.Https("localhost", "/slow"));
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timeouts.upstream_response", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UpstreamClosesMidResponse_ClientSeesAnError_NotATruncatedSuccess()
    {
        await using var upstream = new RawUpstream("HTTP/1.1 200 OK\nContent-Length: 100000\nContent-Type: text/plain\n\n" + new string('x', 1000));
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync(proxy.Https("localhost", "/cut"));
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Fail($"got {(int)response.StatusCode} with {body.Length} bytes: {System.Text.Encoding.UTF8.GetString(body)}");
        });
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
