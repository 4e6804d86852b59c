using Portcullis.Emulator;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;
using Portcullis.Proxy.Tls;

namespace Portcullis.Browser.Infrastructure;

/// <summary>
/// The authentik emulator on loopback, and a real Portcullis in front of it (site "localhost",
/// a self-signed certificate generated into a temporary data_dir, the emulator's self-signed
/// certificate trusted by pin), both in process.
/// </summary>
/// <remarks>
/// The browser reaches Portcullis on 127.0.0.1 and Portcullis reaches the emulator's HTTPS port on
/// [::1] (inside authentik's default trusted ::1/128), so the client address (127.0.0.1) and the
/// proxy's address (::1) differ: with both on 127.0.0.1 the page's client-IP check cannot tell a
/// proxy that passed the browser's address from one that passed its own, and it reports red.
/// </remarks>
public sealed class ProxiedEmulator : IAsyncDisposable
{
    private ProxiedEmulator(EmulatorServer emulator, PortcullisServer? proxy, string directory, AccessLogLines accessLog, CollectingLoggerProvider log)
    {
        Emulator = emulator;
        Proxy = proxy;
        Directory = directory;
        AccessLog = accessLog;
        Log = log;
    }

    public EmulatorServer Emulator { get; }

    public PortcullisServer? Proxy { get; }

    public string Directory { get; }

    public AccessLogLines AccessLog { get; }

    public CollectingLoggerProvider Log { get; }

    /// <summary>https://localhost:PORT/ on Portcullis.</summary>
    public Uri SiteUrl => new($"https://localhost:{Proxy!.Addresses.Https[0].Port}/");

    public static async Task<ProxiedEmulator> StartAsync(bool withProxy = true)
    {
        var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            HttpAddresses = ["127.0.0.1:0"],
            HttpsAddresses = ["[::1]:0"],
        });
        var directory = Path.Combine(Path.GetTempPath(), "portcullis-browser-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var accessLog = new AccessLogLines();
        var log = new CollectingLoggerProvider();
        if (!withProxy)
        {
            return new ProxiedEmulator(emulator, null, directory, accessLog, log);
        }

        try
        {
            var configPath = Path.Combine(directory, "portcullis.yaml");
            await File.WriteAllTextAsync(configPath, $"""
                listen:
                  http: ["127.0.0.1:0"]
                  https: ["127.0.0.1:0"]
                data_dir: {directory}/data
                log:
                  format: json
                sites:
                  - hosts: [localhost]
                    routes:
                      - path: /
                        upstream: {emulator.HttpsUrls[0]}
                        upstream_tls:
                          pin_sha256: ["{CertificateFacts.SpkiPin(emulator.Certificate)}"]
                """);
            var proxy = await PortcullisServer.StartAsync(ConfigLoader.LoadFile(configPath), new PortcullisServerOptions
            {
                AccessLogOutput = accessLog,
                LoggerProvider = log,
                HandleSignals = false,
            });
            return new ProxiedEmulator(emulator, proxy, directory, accessLog, log);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
