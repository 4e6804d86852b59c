using Portcullis.Emulator;
using Portcullis.Proxy.Tls;

namespace Portcullis.Browser.Infrastructure;

/// <summary>
/// The authentik emulator on loopback, and a real Portcullis (<see cref="PortcullisInstance"/>) in
/// front of it: site "localhost", a self-signed certificate generated into its data_dir, the
/// emulator's self-signed certificate trusted by pin, a JSON access log collected in memory.
/// </summary>
/// <remarks>
/// The browser reaches Portcullis on 127.0.0.1 and Portcullis reaches the emulator's HTTPS port on
/// [::1] (inside authentik's default trusted ::1/128), so the client address (127.0.0.1) and the
/// proxy's address (::1) differ: with both on 127.0.0.1 the page's client-IP check cannot tell a
/// proxy that passed the browser's address from one that passed its own, and it reports red.
/// </remarks>
public sealed class ProxiedEmulator : IAsyncDisposable
{
    private ProxiedEmulator(EmulatorServer emulator, PortcullisInstance? portcullis)
    {
        Emulator = emulator;
        Portcullis = portcullis;
        AccessLog = portcullis?.AccessLog ?? new AccessLogLines();
        Log = portcullis?.Log ?? new TestLog();
    }

    public EmulatorServer Emulator { get; }

    /// <summary>Null when started without a proxy.</summary>
    public PortcullisInstance? Portcullis { get; }

    /// <summary>Portcullis's access log (empty without a proxy).</summary>
    public AccessLogLines AccessLog { get; }

    /// <summary>Portcullis's log (empty without a proxy).</summary>
    public TestLog Log { get; }

    /// <summary>https://localhost:PORT/ on Portcullis.</summary>
    public Uri SiteUrl => Portcullis!.Https("localhost");

    public static async Task<ProxiedEmulator> StartAsync(bool withProxy = true)
    {
        var emulator = await TestEmulator.StartAsync(options => options with { HttpsAddresses = ["[::1]:0"] });
        if (!withProxy)
        {
            return new ProxiedEmulator(emulator, null);
        }

        try
        {
            var portcullis = await PortcullisInstance.StartAsync($"""
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
            return new ProxiedEmulator(emulator, portcullis);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Portcullis is not null)
        {
            await Portcullis.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }
}
