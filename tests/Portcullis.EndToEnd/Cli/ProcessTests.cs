using System.Net;
using Microsoft.AspNetCore.Http;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Cli;

/// <summary>The command line as a user runs it: a real process, real exit codes, a real SIGTERM.</summary>
public sealed class ProcessTests
{
    private const int SigTerm = 15;

    [Fact]
    public async Task Validate_BadFile_EveryErrorWithFileLineKeyAndHint_Exit1()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "bad.yaml");
        await File.WriteAllTextAsync(path, """
            listen:
              https: ["0.0.0.0:443"]
            trusted_proxy: [10.0.0.0/8]
            sites:
              - hosts: [sso.domain.tld]
                tls: { certificate: /nonexistent/fullchain.pem, key: /nonexistent/privkey.pem }
                routes:
                  - path: /
                    upstream: https://authentik:9443/some/path
            """);

        var (code, output) = await PortcullisProcess.RunAsync($"validate --config {path}");

        Assert.Equal(1, code);
        Assert.Contains($"{path}:3:1: trusted_proxy: unknown key. Hint: did you mean 'trusted_proxies'?", output);
        Assert.Contains($"{path}:9:", output);
        Assert.Contains("sites[0].routes[0].upstream", output);
        Assert.Contains("sites[0].tls.certificate", output);
        Assert.Contains("/nonexistent/fullchain.pem", output);
    }

    [Fact]
    public async Task Validate_GoodFile_Exit0()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "good.yaml");
        await File.WriteAllTextAsync(path, $"""
            data_dir: {directory}/data
            sites:
              - hosts: [sso.domain.tld]
                routes: [{"{"} path: /, upstream: "https://authentik:9443" {"}"}]
            """);

        var (code, output) = await PortcullisProcess.RunAsync($"validate --config {path}");

        Assert.True(code == 0, output);
        Assert.Contains("configuration OK", output);
        Assert.False(Directory.Exists(Path.Combine(directory, "data")), "validate must not write a certificate");
    }

    [Fact]
    public async Task Validate_AgainstTheRunningFile_NamesWhatWaitsForARestart()
    {
        var directory = TempDirectory.Create();
        var running = Path.Combine(directory, "running.yaml");
        var edited = Path.Combine(directory, "edited.yaml");
        const string site = "sites:\n  - hosts: [sso.domain.tld]\n    routes: [{ path: /, upstream: \"https://authentik:9443\" }]\n";
        await File.WriteAllTextAsync(running, $"data_dir: {directory}/data\nlisten: {{ https: [\"0.0.0.0:8443\"] }}\n" + site);
        await File.WriteAllTextAsync(edited, $"data_dir: {directory}/data\nlisten: {{ https: [\"0.0.0.0:443\"] }}\ntimeouts: {{ keep_alive: 5s }}\n" + site);

        var (changed, output) = await PortcullisProcess.RunAsync($"validate --config {edited} --running {running}");
        var (same, sameOutput) = await PortcullisProcess.RunAsync($"validate --config {running} --running {running}");

        Assert.Equal(0, changed);
        Assert.Contains($"a reload applies every change from {running} but listen.https: these take effect after a restart.", output);
        Assert.Equal(0, same);
        Assert.Contains($"a reload applies every change from {running}.", sameOutput);
    }

    [Fact]
    public async Task RunOneSiteFromFlags_ServesAndRedirects()
    {
        await using var upstream = await TestUpstream.StartAsync(https: true);
        var directory = TempDirectory.Create();
        await using var process = PortcullisProcess.Start(
            $"run --host localhost --upstream {upstream.Url} --upstream-insecure --https 127.0.0.1:0 --http 127.0.0.1:0 --trusted-proxy 10.0.0.0/8",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory }, directory);
        var https = await process.WaitForHttpsAsync();
        var http = await process.WaitForHttpAsync();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });

        using var response = await client.GetAsync($"https://localhost:{https.Port}/flags");
        using var redirect = await client.GetAsync($"http://localhost:{http.Port}/flags");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/flags", Assert.Single(upstream.Requests).Path);
        Assert.Equal($"https://localhost:{https.Port}/flags", redirect.Headers.Location!.OriginalString);
        Assert.Contains("10.0.0.0/8", process.Output);
        Assert.True(File.Exists(Directory.GetFiles(directory, "self-signed-*.crt").Single()));
    }

    [Fact]
    public async Task Sigterm_InFlightRequestCompletes_ProcessExitsWithinDrain()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(map: app => TestUpstream.Route(app, "/slow", async c =>
        {
            arrived.TrySetResult();
            await release.Task;
            await c.Response.WriteAsync("done");
        }));
        var directory = TempDirectory.Create();
        var config = Path.Combine(directory, "portcullis.yaml");
        await File.WriteAllTextAsync(config, PortcullisInstance.Preamble(directory) + "\ntimeouts: { shutdown_drain: 3s }\n" + Yaml.Site(upstream.Url));
        await using var process = PortcullisProcess.Start($"run --config {config}", workingDirectory: directory);
        var https = await process.WaitForHttpsAsync();
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        var inFlight = client.GetAsync($"https://localhost:{https.Port}/slow");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        process.Signal(SigTerm);
        await process.WaitForOutputAsync("shutting down");
        release.SetResult();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(10));
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task EnvironmentOverride_AppliedOverFile()
    {
        await using var first = await TestUpstream.StartAsync();
        await using var second = await TestUpstream.StartAsync();
        var directory = TempDirectory.Create();
        var config = Path.Combine(directory, "portcullis.yaml");
        await File.WriteAllTextAsync(config, PortcullisInstance.Preamble(directory) + "\n" + Yaml.Site(first.Url));
        await using var process = PortcullisProcess.Start($"run --config {config}",
            new Dictionary<string, string> { ["PORTCULLIS_SITES__0__ROUTES__0__UPSTREAM"] = second.Url.ToString() }, directory);
        var https = await process.WaitForHttpsAsync();
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });

        using var response = await client.GetAsync($"https://localhost:{https.Port}/env");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(first.Requests);
        Assert.Single(second.Requests);
    }

    [Fact]
    public async Task Run_BadConfig_PrintsErrorsAndExits1_PortInUse_ClearError()
    {
        var directory = TempDirectory.Create();
        var config = Path.Combine(directory, "portcullis.yaml");
        await File.WriteAllTextAsync(config, "sites: []\n");
        var (code, output) = await PortcullisProcess.RunAsync($"run --config {config}", workingDirectory: directory);

        using var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var (busyCode, busyOutput) = await PortcullisProcess.RunAsync($"run --host localhost --upstream http://127.0.0.1:1 --https 127.0.0.1:{port} --http 127.0.0.1:0",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory }, directory);

        Assert.Equal(1, code);
        Assert.Contains("sites: no site is configured.", output);
        Assert.Equal(1, busyCode);
        Assert.Contains("address already in use", busyOutput);
        Assert.DoesNotContain("   at ", busyOutput);
    }
}
