using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Cli;

/// <summary>
/// portcullis run --acme-email: the one-site case with an ACME certificate. Nothing here reaches a
/// CA: the default directory (Let's Encrypt) is replaced by a closed loopback port through the
/// environment, or the command stops at validation.
/// </summary>
public sealed class AcmeFlagTests
{
    [Fact]
    public async Task RunOneSiteWithAcmeEmail_ServesTemporaryCertificateAndLogsItsSource()
    {
        var directory = TempDirectory.Create();
        await using var process = PortcullisProcess.Start(
            "run --host localhost --upstream http://127.0.0.1:1 --https 127.0.0.1:0 --http 127.0.0.1:0 --acme-email admin@portcullis.test",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory, ["PORTCULLIS_ACME__DIRECTORY"] = "https://127.0.0.1:9/directory" }, directory);

        await process.WaitForOutputAsync("waiting for its first ACME certificate from https://127.0.0.1:9/directory");
        await process.WaitForOutputAsync(@"certificate of localhost: ACME from https://127\.0\.0\.1:9/directory, waiting for its first certificate .*; names localhost; valid until");
        await process.WaitForHttpsAsync();

        // The order failed (nothing listens there) and is retried after the backoff; no self-signed file was kept.
        await process.WaitForOutputAsync("ACME certificate for localhost failed");
        Assert.Empty(Directory.GetFiles(directory, "self-signed-*.crt"));
    }

    [Fact]
    public async Task RunWildcardHostWithAcmeEmail_Exit1WithReasonAndFix()
    {
        var directory = TempDirectory.Create();

        var (code, output) = await PortcullisProcess.RunAsync("run --host *.domain.tld --upstream http://127.0.0.1:1 --https 127.0.0.1:0 --http 127.0.0.1:0 --acme-email me@domain.tld",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory }, directory);

        Assert.Equal(1, code);
        Assert.Contains("dns-01", output);
        Assert.Contains("tls.certificate", output);
    }

    [Fact]
    public async Task RunWithBadAcmeEmail_Exit1NamingTheFlag()
    {
        var directory = TempDirectory.Create();

        var (code, output) = await PortcullisProcess.RunAsync("run --host sso.domain.tld --upstream http://127.0.0.1:1 --https 127.0.0.1:0 --http 127.0.0.1:0 --acme-email mailto:me",
            new Dictionary<string, string> { ["PORTCULLIS_DATA_DIR"] = directory }, directory);

        Assert.Equal(1, code);
        Assert.Contains("--acme-email", output);
        Assert.Contains("acme.email", output);
    }

    [Fact]
    public async Task ValidateWithAcme_Exit0WarnsAboutPort80AndWritesNothing()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "acme.yaml");
        await File.WriteAllTextAsync(path, $"""
            data_dir: {directory}/data
            acme: {"{"} email: me@domain.tld {"}"}
            sites:
              - hosts: [sso.domain.tld]
                routes: [{"{"} path: /, upstream: "https://authentik:9443" {"}"}]
            """);

        // The default directory is Let's Encrypt's: validate must not contact it, nor write anything.
        var (code, output) = await PortcullisProcess.RunAsync($"validate --config {path}");

        Assert.True(code == 0, output);
        Assert.Contains("no HTTP listener on port 80", output);
        Assert.Contains("configuration OK", output);
        Assert.False(Directory.Exists(Path.Combine(directory, "data")), "validate must not write anything");
    }
}
