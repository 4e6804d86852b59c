using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Failure;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// Issue 4, live changes: reloads, certificate rotation and SIGTERM while clients keep coming.
/// Nothing a client sent may be lost; nothing may fail that a restart-free proxy promises.
/// </summary>
public sealed class LiveChangeTests
{
    [Fact]
    public async Task TwentyReloadsUnderLoad_NoRequestFails_AnInvalidFileChangesNothingAndIsReported()
    {
        await using var a = await HealthCheckTests.StartWithHealthAsync();
        await using var b = await HealthCheckTests.StartWithHealthAsync();
        // Every other reload changes the servers, the health check, the routes and the HSTS value.
        string Config(int i) => i % 2 == 0
            ? HealthCheckTests.Cluster([a.Url, b.Url], siteExtra: $"hsts: \"max-age={1000 + i}\"")
            : Yaml.Site(a.Url, siteExtra: $"hsts: \"max-age={1000 + i}\"") + $"\n      - {{ path: /extra{i}, upstream: \"{b.Url}\" }}";
        await using var proxy = await PortcullisInstance.StartAsync(Config(0));
        using var client = proxy.CreateClient();
        var started = Stopwatch.StartNew();
        var load = new Load(8, async worker =>
        {
            using var response = await client.GetAsync(proxy.Https("localhost", $"/load/{worker}"));
            return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        });

        IReadOnlyList<Portcullis.Proxy.Configuration.ConfigError> rejected = [];
        string? hstsAfterRejection = null;
        for (var i = 1; i <= 20; i++)
        {
            Assert.Empty(await proxy.RewriteConfigAsync(Config(i)));
            if (i == 10)
            {
                rejected = await proxy.RewriteConfigAsync(Config(i).Replace("routes:", "routes:\n      - { path: /bad, upstream: \"ftp://authentik\" }"));
                using var response = await client.GetAsync(proxy.Https("localhost", "/after-rejection"));
                hstsAfterRejection = response.Headers.GetValues("Strict-Transport-Security").Single();
            }
        }

        await load.DisposeAsync();
        started.Stop();

        Assert.Empty(load.Failures);
        Assert.True(load.Completed > 100, $"only {load.Completed} requests in {started.Elapsed}");
        Assert.Contains(rejected, error => error.Key == "sites[0].routes[0].upstream");
        Assert.Equal("max-age=1010", hstsAfterRejection);
        Assert.Single(proxy.Log.Lines, line => line.StartsWith("Error:") && line.Contains("reload rejected") && line.Contains("ftp://authentik"));
    }

    [Fact]
    public async Task CertificateRotatedUnderLoad_NoHandshakeFails_NewConnectionsGetTheNewCertificate()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var old = TestCertificates.WritePem(directory, "live", "localhost");
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: $"tls: {{ certificate: {old.Certificate}, key: {old.Key} }}"), directory);
        var renewedCertificate = SelfSignedCertificateStore.Create(["localhost"], "renewed");
        var reloaded = 0;
        var reload = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.Server.Models.Reloaded += errors =>
        {
            if (errors.Count == 0)
            {
                Volatile.Write(ref reloaded, 1);
                reload.TrySetResult();
            }
        };
        var afterReload = new ConcurrentQueue<string>();
        // Every request on a new TLS connection: a fresh handshake each time.
        using var client = proxy.CreateClient(configure: handler => handler.PooledConnectionLifetime = TimeSpan.Zero);
        var load = new Load(6, async worker =>
        {
            var startedAfterReload = Volatile.Read(ref reloaded) == 1;
            if (worker % 2 == 0)
            {
                using var response = await client.GetAsync(proxy.Https("localhost", "/rotate"));
                return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode}";
            }

            var handshake = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost");
            if (handshake is null)
            {
                return "handshake failed";
            }

            if (startedAfterReload)
            {
                afterReload.Enqueue(handshake.Value.Certificate.Thumbprint);
            }

            return null;
        });

        var before = load.Completed;
        while (load.Completed < before + 10)
        {
            await Task.Delay(20); // some handshakes with the old certificate first
        }

        TestCertificates.Write(directory, "live", renewedCertificate);
        await reload.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var atReload = load.Completed;
        while (afterReload.Count < 10)
        {
            await Task.Delay(20);
        }

        await load.DisposeAsync();

        Assert.Empty(load.Failures);
        Assert.All(afterReload, thumbprint => Assert.Equal(renewedCertificate.Thumbprint, thumbprint));
        Assert.True(atReload > before + 10);
    }

    [Fact]
    public async Task CertificateWrittenBeforeItsKey_ReloadRejectedAndLogged_OldCertificateServes_PairPickedUpOnNextChange()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var old = TestCertificates.WritePem(directory, "live", "localhost");
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url, siteExtra: $"tls: {{ certificate: {old.Certificate}, key: {old.Key} }}"), directory);
        var renewed = SelfSignedCertificateStore.Create(["localhost"], "renewed");
        await using var load = new Load(2, async _ =>
            await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost") is null ? "handshake failed" : null);

        // A renewal tool that writes fullchain.pem, then privkey.pem (each file atomically, the pair not).
        var firstReload = NextReloadAsync(proxy);
        await ReplaceAsync(old.Certificate, renewed.ExportCertificatePem());
        var errors = await firstReload;
        var during = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost");
        var secondReload = NextReloadAsync(proxy);
        await ReplaceAsync(old.Key, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var laterErrors = await secondReload;
        var after = await TestCertificates.HandshakeAsync(proxy.HttpsUrl, "localhost");

        Assert.Equal("sites[0].tls", Assert.Single(errors).Key);
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Error:") && line.Contains("reload rejected") && line.Contains("sites[0].tls"));
        Assert.Equal(old.Leaf.Thumbprint, during!.Value.Certificate.Thumbprint);
        Assert.Empty(laterErrors);
        Assert.Equal(renewed.Thumbprint, after!.Value.Certificate.Thumbprint);
        Assert.Empty(load.Failures);
    }

    [Fact]
    public async Task Sigterm_UnderLoad_InFlightRequestsComplete_NewConnectionsRefused_ExitWithinDrain()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var served = 0;
        await using var upstream = await TestUpstream.StartAsync(map: app =>
        {
            TestUpstream.Route(app, "/hold", async c =>
            {
                held.TrySetResult();
                await release.Task;
                await c.Response.WriteAsync("held");
            });
            TestUpstream.Route(app, "/work", async c =>
            {
                if (Interlocked.Increment(ref served) == 50)
                {
                    warmedUp.TrySetResult();
                }

                await Task.Delay(50); // so that some requests are always in flight
                await c.Response.WriteAsync("ok");
            });
        });
        var directory = TempDirectory.Create();
        var config = Path.Combine(directory, "portcullis.yaml");
        var drain = TimeSpan.FromSeconds(5);
        await File.WriteAllTextAsync(config, PortcullisInstance.Preamble(directory) + "\ntimeouts: { shutdown_drain: 5s }\nlog: { access: \"off\" }\n" + Yaml.Site(upstream.Url));
        await using var process = PortcullisProcess.Start($"run --config {config}", workingDirectory: directory);
        var port = (await process.WaitForHttpsAsync()).Port;
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { Timeout = TimeSpan.FromSeconds(20) };
        var holding = client.GetAsync($"https://localhost:{port}/hold");
        await held.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var ok = 0;
        var refused = 0;
        var wrong = new ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync($"https://localhost:{port}/work");
                    if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "ok")
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else
                    {
                        wrong.Enqueue($"{(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
                {
                    Interlocked.Increment(ref refused);
                    return; // Portcullis stopped accepting: this client is done.
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    wrong.Enqueue(ex.ToString()); // a request cut or lost, not refused
                    return;
                }
            }
        })).ToArray();
        await warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var watch = Stopwatch.StartNew();
        process.Signal(15);
        await process.WaitForOutputAsync("shutting down");
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20));
        var newConnection = await ConnectAsync(port);
        release.SetResult();
        using var heldResponse = await holding.WaitAsync(TimeSpan.FromSeconds(10));
        var code = await process.WaitForExitAsync(drain + TimeSpan.FromSeconds(5));
        watch.Stop();

        Assert.Empty(wrong);
        Assert.Equal(8, refused);
        Assert.Equal(Volatile.Read(ref served), ok); // every request the upstream answered reached its client
        Assert.Equal(SocketError.ConnectionRefused, newConnection);
        Assert.Equal("held", await heldResponse.Content.ReadAsStringAsync());
        Assert.Equal(0, code);
        Assert.True(watch.Elapsed < drain, $"exit took {watch.Elapsed} after SIGTERM");
    }

    private static async Task<SocketError> ConnectAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5));
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    private static Task<IReadOnlyList<Portcullis.Proxy.Configuration.ConfigError>> NextReloadAsync(PortcullisInstance proxy)
    {
        var reloaded = new TaskCompletionSource<IReadOnlyList<Portcullis.Proxy.Configuration.ConfigError>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(IReadOnlyList<Portcullis.Proxy.Configuration.ConfigError> errors)
        {
            reloaded.TrySetResult(errors);
            proxy.Server.Models.Reloaded -= OnReloaded;
        }

        proxy.Server.Models.Reloaded += OnReloaded;
        return reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Written whole, then renamed into place: one file changes atomically.</summary>
    private static async Task ReplaceAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
