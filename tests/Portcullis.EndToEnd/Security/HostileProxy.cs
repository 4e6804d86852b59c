using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// A Portcullis in front of a <see cref="TestUpstream"/> that also records every request the
/// moment it arrives (before its body is read), so a test sees requests whose body was then cut
/// as well as complete ones. Shared by the cases of one test class, which run one at a time.
/// </summary>
public sealed class HostileProxy : IAsyncLifetime, IAsyncDisposable
{
    public TestUpstream Upstream { get; private set; } = null!;

    public PortcullisInstance Proxy { get; private set; } = null!;

    /// <summary>Paths as they arrived at the upstream, before any body was read.</summary>
    public ConcurrentQueue<string> Arrivals { get; } = new();

    /// <summary>The YAML that goes before the site (limits:, timeouts:); empty by default.</summary>
    public string Settings { get; init; } = "";

    public string Host => $"localhost:{Proxy.HttpsPort}";

    public static async Task<HostileProxy> StartAsync(string settings = "")
    {
        var proxy = new HostileProxy { Settings = settings };
        await proxy.InitializeAsync();
        return proxy;
    }

    public async Task InitializeAsync()
    {
        Upstream = await TestUpstream.StartAsync(map: app => app.Use(async (context, next) =>
        {
            Arrivals.Enqueue(context.Request.Path.Value ?? "");
            await next(context);
        }));
        Proxy = await PortcullisInstance.StartAsync(Settings + Yaml.Site(Upstream.Url));
    }

    /// <summary>Forgets what earlier cases sent.</summary>
    public void Reset()
    {
        Upstream.Requests.Clear();
        Arrivals.Clear();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
