using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Portcullis.EndToEnd.Forwarding;
using Portcullis.EndToEnd.Infrastructure;
using Portcullis.Proxy.Tls;

namespace Portcullis.EndToEnd.Hosting;

/// <summary>
/// Each setting a reload can change, changed on a running Portcullis, and its effect observed; the
/// settings that wait for a restart are named in the log instead (README, "Reload").
/// </summary>
public sealed class LiveSettingsTests
{
    private const int SigHup = 1;

    [Fact]
    public async Task LogFormat_ChangedToJson_NextLinesAreJson()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        using var client = proxy.CreateClient();
        (await client.GetAsync(proxy.Https("localhost", "/before"))).EnsureSuccessStatusCode();
        var combined = await proxy.AccessLog.WaitForLineAsync(line => line.Contains("/before"));

        Assert.Empty(await proxy.RewriteConfigAsync("log: { format: json }\n" + Yaml.Site(upstream.Url)));
        (await client.GetAsync(proxy.Https("localhost", "/after"))).EnsureSuccessStatusCode();
        var json = await proxy.AccessLog.WaitForLineAsync(line => line.Contains("/after"));

        Assert.StartsWith("127.0.0.1 - - [", combined);
        Assert.Equal("/after", JsonDocument.Parse(json).RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task LogAccess_MovedToAFileAndOff_LinesFollow()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        var file = Path.Combine(proxy.Directory, "access.log");
        using var client = proxy.CreateClient();

        Assert.Empty(await proxy.RewriteConfigAsync($"log: {{ access: {file} }}\n" + Yaml.Site(upstream.Url)));
        (await client.GetAsync(proxy.Https("localhost", "/to-file"))).EnsureSuccessStatusCode();
        await WaitForFileLineAsync(file, "/to-file");
        Assert.Empty(await proxy.RewriteConfigAsync("log: { access: \"off\" }\n" + Yaml.Site(upstream.Url)));
        (await client.GetAsync(proxy.Https("localhost", "/nowhere"))).EnsureSuccessStatusCode();
        Assert.Empty(await proxy.RewriteConfigAsync(Yaml.Site(upstream.Url)));
        (await client.GetAsync(proxy.Https("localhost", "/back"))).EnsureSuccessStatusCode();
        await proxy.AccessLog.WaitForLineAsync(line => line.Contains("/back"));

        Assert.DoesNotContain(proxy.AccessLog.Lines, line => line.Contains("/to-file") || line.Contains("/nowhere"));
        Assert.DoesNotContain("/nowhere", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task KeepAlive_Shortened_NewConnectionsClosedAfterTheNewTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        Assert.Empty(await proxy.RewriteConfigAsync("timeouts: { keep_alive: 1s }\n" + Yaml.Site(upstream.Url)));
        using var tcp = new TcpClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stream = await OpenTlsAsync(tcp, proxy, cancel.Token);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /idle HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n\r\n"), cancel.Token);
        var response = await RawHttp.ReadResponseAsync(stream, cancel.Token);
        var idle = Stopwatch.StartNew();
        var read = await stream.ReadAsync(new byte[1], cancel.Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(0, read);
        Assert.True(idle.Elapsed < TimeSpan.FromSeconds(10), $"closed after {idle.Elapsed}, not about 1 s (the default is 75 s)");
    }

    [Fact]
    public async Task MaxRequestLine_Lowered_LongRequestLineNowRefused()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        var request = $"GET /{new string('a', 3000)} HTTP/1.1\nHost: localhost:{proxy.HttpsPort}\nConnection: close\n";
        var before = await RawHttp.SendAsync(proxy.HttpsUrl, request);

        Assert.Empty(await proxy.RewriteConfigAsync("limits: { max_request_line: 2KiB }\n" + Yaml.Site(upstream.Url)));
        var after = await RawHttp.SendAsync(proxy.HttpsUrl, request);

        Assert.Equal(200, before.Status);
        Assert.Equal(414, after.Status);
    }

    [Fact]
    public async Task ClientHeader_Shortened_SlowHeadersCutAfterTheNewTimeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));

        Assert.Empty(await proxy.RewriteConfigAsync("timeouts: { client_header: 1s }\n" + Yaml.Site(upstream.Url)));
        using var tcp = new TcpClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stream = await OpenTlsAsync(tcp, proxy, cancel.Token);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /slow HTTP/1.1\r\nHost: localhost:{proxy.HttpsPort}\r\n"), cancel.Token);
        var waiting = Stopwatch.StartNew();
        var response = await RawHttp.ReadResponseAsync(stream, cancel.Token);

        Assert.Equal(408, response.Status);
        Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(10), $"cut after {waiting.Elapsed}, not about 1 s (the default is 30 s)");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task MaxRequestHeaders_Raised_LargerHeadersNowServed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("limits: { max_request_headers: 8KiB }\n" + Yaml.Site(upstream.Url));
        // Past twice the limit at start, where Kestrel's own cap answers: raising it must move that cap too.
        var request = $"GET /big HTTP/1.1\nHost: localhost:{proxy.HttpsPort}\nCookie: authentik_session={new string('c', 20_000)}\nConnection: close\n";
        var before = await RawHttp.SendAsync(proxy.HttpsUrl, request);

        Assert.Empty(await proxy.RewriteConfigAsync("limits: { max_request_headers: 64KiB }\n" + Yaml.Site(upstream.Url)));
        var after = await RawHttp.SendAsync(proxy.HttpsUrl, request);

        Assert.Equal(431, before.Status);
        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task ShutdownDrain_Shortened_WebSocketsClosedAfterTheNewDrain()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync("timeouts: { shutdown_drain: 60s }\n" + Yaml.Site(upstream.Url));
        Assert.Empty(await proxy.RewriteConfigAsync("timeouts: { shutdown_drain: 1s }\n" + Yaml.Site(upstream.Url)));
        using var socket = await WebSocketTests.ConnectAsync(proxy, HttpVersion.Version11);
        var receive = socket.ReceiveAsync(new byte[256], CancellationToken.None);
        var stopping = Stopwatch.StartNew();

        var stop = proxy.Server.StopAsync();
        var result = await receive.WaitAsync(TimeSpan.FromSeconds(20));
        await stop.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"closed after {stopping.Elapsed}: the drain of 60 s at start was used, not the reloaded 1 s");
    }

    [Fact]
    public async Task ListenChanged_ReloadAppliesTheRest_LogNamesWhatWaitsForARestart()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var proxy = await PortcullisInstance.StartAsync(Yaml.Site(upstream.Url));
        var changed = $"""
            listen:
              http: ["127.0.0.1:0"]
              https: ["127.0.0.1:0", "127.0.0.2:0"]
            data_dir: {proxy.Directory}/data
            """ + "\n" + Yaml.Site(upstream.Url, siteExtra: "hsts: \"max-age=5\"");

        Assert.Empty(await proxy.RewriteConfigAsync(changed));
        using var client = proxy.CreateClient();
        using var response = await client.GetAsync(proxy.Https("localhost", "/"));

        Assert.Equal(["max-age=5"], response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains(proxy.Log.Lines, line => line.StartsWith("Warning:") && line.Contains("listen.https") && line.Contains("restart"));
    }

    [Fact]
    public async Task ConfigRewrittenUnderLoad_LiveWithinASecond_WithAnAccessLogInTheSameDirectory()
    {
        // The access log is written on every request beside the config file: its events must not
        // keep the config's change from being noticed (only the slow poll would then catch it).
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var log = $"log: {{ access: {directory}/access.log }}\n";
        await using var proxy = await PortcullisInstance.StartAsync(log + Yaml.Site(upstream.Url), directory, pollInterval: TimeSpan.FromHours(1));
        using var client = proxy.CreateClient();
        await using var load = new Load(4, async _ =>
        {
            using var response = await client.GetAsync(proxy.Https("localhost", "/load"));
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode}";
        });
        var before = load.Completed;
        while (load.Completed < before + 200)
        {
            await Task.Delay(20); // the access log is being written
        }

        for (var change = 1; change <= 3; change++)
        {
            var written = Stopwatch.StartNew();
            Assert.Empty(await proxy.RewriteConfigAsync(log + Yaml.Site(upstream.Url, siteExtra: $"hsts: \"max-age={change}\"")));
            var live = written.Elapsed;
            using var response = await client.GetAsync(proxy.Https("localhost", "/check"));

            Assert.Equal([$"max-age={change}"], response.Headers.GetValues("Strict-Transport-Security"));
            Assert.True(live < TimeSpan.FromSeconds(1), $"change {change} went live after {live}");
        }

        Assert.Empty(load.Failures);
    }

    [Fact]
    public async Task OneSiteFlags_RenewedCertificateServed_SighupReloadsInsteadOfKilling()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var first = TestCertificates.WritePem(directory, "live", "localhost");
        await using var process = PortcullisProcess.Start(
            $"run --host localhost --upstream {upstream.Url} --cert {first.Certificate} --key {first.Key} --https 127.0.0.1:0 --http 127.0.0.1:0",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory }, directory);
        var https = await process.WaitForHttpsAsync();
        var served = await TestCertificates.HandshakeAsync(https, "localhost");

        // certbot renew: new files in place.
        var renewed = SelfSignedCertificateStore.Create(["localhost"], "renewed");
        TestCertificates.Write(directory, "live", renewed);
        await process.WaitForOutputAsync("reload: configuration from command line is live .*trigger: a watched file changed");
        var afterRenewal = await TestCertificates.HandshakeAsync(https, "localhost");
        process.Signal(SigHup);
        await process.WaitForOutputAsync("reload: configuration from command line is live .*trigger: SIGHUP");
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        using var response = await client.GetAsync($"https://localhost:{https.Port}/still-serving");

        Assert.Equal(first.Leaf.Thumbprint, served!.Value.Certificate.Thumbprint);
        Assert.Equal(renewed.Thumbprint, afterRenewal!.Value.Certificate.Thumbprint);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<Stream> OpenTlsAsync(TcpClient tcp, PortcullisInstance proxy, CancellationToken cancellationToken)
    {
        await tcp.ConnectAsync(proxy.HttpsUrl.Host, proxy.HttpsPort, cancellationToken);
        return await RawHttp.OpenAsync(tcp, proxy.HttpsUrl, "localhost", cancellationToken);
    }

    private static async Task WaitForFileLineAsync(string path, string text)
    {
        using var watcher = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!(File.Exists(path) && (await File.ReadAllTextAsync(path, watcher.Token)).Contains(text)))
        {
            await Task.Delay(20, watcher.Token); // the access log is written by a background task, with no event to await
        }
    }
}
