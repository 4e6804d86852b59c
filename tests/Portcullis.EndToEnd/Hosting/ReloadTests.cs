using System.Net;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>A changed file is reloaded live; a bad one is rejected and the last good config keeps serving.</summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task ValidChange_TakesEffectWithoutRestart_KeepingOpenConnections()
    {
        await using var first = await TestUpstream.StartAsync();
        await using var second = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(first.Url));
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/one"))).EnsureSuccessStatusCode();

        var errors = await proxy.RewriteConfigAsync(Yaml.Site(second.Url));
        using var response = await client.GetAsync(proxy.Https("localhost", "/two"));

        Assert.Empty(errors);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["/one"], first.Requests.Select(r => r.Path));
        Assert.Equal(["/two"], second.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task InvalidChange_RejectedAndLogged_PreviousConfigKeepsServing()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();

        var errors = await proxy.RewriteConfigAsync(Yaml.Site(upstream.Url) + "\ntrusted_proxies: [10.0.0.1/8]\n");
        using var response = await client.GetAsync(proxy.Https("localhost", "/still"));

        var error = Assert.Single(errors);
        Assert.Equal("trusted_proxies", error.Key);
        Assert.EndsWith("portcullis.yaml", error.Location.Source);
        Assert.True(error.Location.Line > 1);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Error:") && line.Contains("reload rejected") && line.Contains("trusted_proxies"));
    }

    [Fact]
    public async Task ReloadsUnderLoad_NoRequestFails()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var completed = 0;
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync(proxy.Https("localhost", "/load"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref completed);
            }
        })).ToArray();

        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await proxy.RewriteConfigAsync(Yaml.Site(upstream.Url, siteExtra: $"hsts: \"max-age={31536000 + i}\"")));
        }

        stop.Cancel();
        await Task.WhenAll(load);
        Assert.Equal(0, failures);
        Assert.True(completed > 0);
    }
}
