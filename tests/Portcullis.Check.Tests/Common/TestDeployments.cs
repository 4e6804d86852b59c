using Portcullis.Emulator;

namespace Portcullis.Check.Tests.Common;

/// <summary>Portcullis in process in front of the emulator (<see cref="TestEmulator"/>), and checker options for it.</summary>
internal static class TestDeployments
{
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
