using System.Net;
using Portcullis.Proxy.Configuration;

namespace Portcullis.EndToEnd.Admin;

/// <summary>A Portcullis with its admin listener on 127.0.0.1:0, and a client for that listener.</summary>
public sealed class AdminInstance : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private AdminInstance(PortcullisInstance proxy, TempDirectory directory)
    {
        Proxy = proxy;
        _directory = directory;
        Client = new HttpClient { BaseAddress = proxy.Server.Addresses.Admin, Timeout = TimeSpan.FromSeconds(10) };
    }

    public PortcullisInstance Proxy { get; }

    public HttpClient Client { get; }

    /// <summary>The file's head for these tests: the shared preamble and the admin listener, the platform's per-request meters on.</summary>
    public static string Head(string directory, bool platformRequestMetrics = true) => PortcullisInstance.Preamble(directory)
        + $"\nadmin:\n  listen: \"127.0.0.1:0\"\n  platform_request_metrics: {(platformRequestMetrics ? "true" : "false")}\n";

    /// <param name="sites">The config from "sites:" on.</param>
    public static async Task<AdminInstance> StartAsync(string sites, bool platformRequestMetrics = true)
    {
        var directory = new TempDirectory();
        try
        {
            var proxy = await PortcullisInstance.StartAsync(Head(directory.Path, platformRequestMetrics) + sites, directory.Path);
            return new AdminInstance(proxy, directory);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Rewrites the config (head included) and waits for the reload attempt.</summary>
    public Task<IReadOnlyList<ConfigError>> RewriteAsync(string sites) => Proxy.RewriteConfigAsync(Head(Proxy.Directory) + sites);

    public async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Waits until the request for <paramref name="path"/> has ended in Portcullis: its access-log
    /// line is written after its metrics are recorded, a moment after the client has its response.
    /// </summary>
    public Task RequestEndedAsync(string path) => Proxy.AccessLog.WaitForLineAsync(line => line.Contains(" " + path + " ", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        _directory.Dispose();
    }
}
