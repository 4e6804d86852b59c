using Portcullis.Emulator;

namespace Portcullis.Check.Tests.Common;

/// <summary>The emulator on loopback, port 0, and Portcullis in front of it, in process.</summary>
internal static class TestDeployments
{
    public static Task<EmulatorServer> StartEmulatorAsync() =>
        EmulatorServer.StartAsync(new EmulatorOptions { HttpAddresses = ["127.0.0.1:0"], HttpsAddresses = ["127.0.0.1:0"] });

    /// <summary>Portcullis for "localhost" with the test CA's server certificate, to the emulator's HTTPS port (its certificate not verified).</summary>
    public static Task<PortcullisInstance> StartPortcullisAsync(EmulatorServer emulator, TestCertificates certificates) =>
        PortcullisInstance.StartAsync($"""
            trusted_proxies: []
            sites:
              - hosts: [localhost]
                tls: {"{"} certificate: "{certificates.CertificateFile}", key: "{certificates.KeyFile}" {"}"}
                routes:
                  - path: /
                    upstream: "{emulator.HttpsUrls[0].GetLeftPart(UriPartial.Authority)}"
                    upstream_tls: {"{"} verify: false {"}"}
            """);

    /// <summary>Options pointing at a server as "localhost", its CA trusted.</summary>
    public static CheckOptions LocalhostOptions(Uri https, Uri http, TestCertificates certificates) => new()
    {
        Url = new UriBuilder(https) { Host = "localhost" }.Uri,
        HttpUrl = new UriBuilder(http) { Host = "localhost" }.Uri,
        CaFile = certificates.CaFile,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
}
