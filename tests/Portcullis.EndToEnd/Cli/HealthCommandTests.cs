using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Cli;

/// <summary>
/// portcullis health, the container image's HEALTHCHECK: a real process against a real listener,
/// judged by its exit code as the container runtime judges it.
/// </summary>
public sealed class HealthCommandTests
{
    private static Task<TestUpstream> StartUpstreamAsync(bool https = false) => TestUpstream.StartAsync(https, map: app =>
    {
        TestUpstream.Route(app, "/moved", context =>
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = "https://127.0.0.1:1/";
            return Task.CompletedTask;
        });
        TestUpstream.Route(app, "/unknown-host", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        TestUpstream.Route(app, "/not-ready", context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
    });

    [Theory]
    [InlineData("/healthz", 200, 0)]
    [InlineData("/moved", 301, 0)]
    [InlineData("/unknown-host", 404, 0)]
    [InlineData("/not-ready", 503, 1)]
    public async Task Health_ListenerAnswers_Exit0BelowStatus500AndRedirectNotFollowed(string path, int status, int expected)
    {
        await using var upstream = await StartUpstreamAsync();

        var url = new Uri(upstream.Url, path);

        var (code, output) = await PortcullisProcess.RunAsync($"health {url}");

        Assert.True(code == expected, output);
        // The redirect points at a port nothing serves: following it would have failed.
        Assert.Contains($"{url}: {status}", output);
    }

    [Fact]
    public async Task Health_NothingListening_Exit1WithReason()
    {
        // A port that was just free: nothing answers there.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (code, output) = await PortcullisProcess.RunAsync($"health http://127.0.0.1:{port}/healthz --timeout 5");

        Assert.Equal(1, code);
        Assert.Contains("no answer", output);
    }

    [Fact]
    public async Task Health_SelfSignedHttps_Exit1UnlessInsecure()
    {
        await using var upstream = await StartUpstreamAsync(https: true);

        var (strict, _) = await PortcullisProcess.RunAsync($"health {new Uri(upstream.Url, "/healthz")}");
        var (insecure, output) = await PortcullisProcess.RunAsync($"health {new Uri(upstream.Url, "/healthz")} --insecure");

        Assert.Equal(1, strict);
        Assert.True(insecure == 0, output);
    }

    [Fact]
    public async Task Health_NotAnHttpUrl_Exit2()
    {
        var (code, output) = await PortcullisProcess.RunAsync("health ftp://127.0.0.1/");

        Assert.Equal(2, code);
        Assert.Contains("not an http:// or https:// URL", output);
    }
}
