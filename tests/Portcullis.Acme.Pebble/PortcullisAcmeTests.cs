using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Portcullis.Acme.Pebble.Infrastructure;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;
using Portcullis.Proxy.Tls;
using Portcullis.Proxy.Tls.Acme;
using Xunit.Abstractions;

namespace Portcullis.Acme.Pebble;

/// <summary>
/// A real Portcullis (PortcullisServer.StartAsync) with an acme section pointing at pebble: pebble
/// validates http-01 against Portcullis's own plain-HTTP listener and tls-alpn-01 against its
/// HTTPS listener, on ports picked free at run time (pebble's httpPort and tlsPort), and the
/// issued certificate is served over TLS to a client that trusts pebble's root. Each test has its
/// own pebble, upstream and data directory.
/// </summary>
public sealed class PortcullisAcmeTests : IAsyncLifetime
{
    private const string AcmeHost = "sso.portcullis.test";
    private const string FilesHost = "files.portcullis.test";
    private static readonly TimeSpan IssuanceTimeout = TimeSpan.FromMinutes(2);
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _directory = new();
    private readonly List<PortcullisServer> _servers = [];
    private readonly List<TestLog> _logs = [];
    private int _httpPort;
    private int _tlsPort;
    private PebbleServer _pebble = null!;
    private TestUpstream _upstream = null!;

    public PortcullisAcmeTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private string DataDirectory => Path.Combine(_directory.Path, "data");

    public async Task InitializeAsync()
    {
        (_httpPort, _tlsPort) = FreePort.Take(2) is [var http, var tls] ? (http, tls) : default;
        _upstream = await TestUpstream.StartAsync();
    }

    private async Task StartPebbleAsync(TimeSpan? validity = null) =>
        _pebble = await PebbleServer.StartAsync(_httpPort, validity: validity, tlsPort: _tlsPort);

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var log in _logs)
        {
            _output.WriteLine(log.Text); // shown when the test fails
        }

        if (_pebble is not null)
        {
            _output.WriteLine(_pebble.Log);
            await _pebble.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task StartAsync_AcmeSite_WaitsOnATemporaryCertificateThenServesPebblesLiveWhileTheOtherSiteKeepsServing()
    {
        await StartPebbleAsync();
        var ca = TestCertificates.CreateCa();
        var files = TestCertificates.Write(_directory.Path, "files", TestCertificates.CreateLeaf(ca, FilesHost), ca);
        // Holding the data directory's order lock, as another instance ordering would, keeps the
        // ACME site waiting until the test lets go.
        var held = AcmeOrderLock.TryAcquire(new AcmeStore(DataDirectory, _pebble.DirectoryUrl).LockPath);
        Assert.NotNull(held);
        AcmeCertificateSource source;
        Task<ServerCertificate> served;
        int httpsPort;
        using (held)
        {
            var (server, log) = await StartAsync($"""
                  - hosts: [{FilesHost}]
                    tls: {"{"} certificate: {files.Certificate}, key: {files.Key} {"}"}
                    routes: [{"{"} path: /, upstream: "{_upstream.Url}" {"}"}]
                """);
            httpsPort = server.Addresses.Https[0].Port;
            source = AcmeSource(server);
            served = NextServed(source);

            Assert.True(source.Waiting);
            Assert.Contains(log.Lines, line => line.Contains($"site {AcmeHost} is waiting for its first ACME certificate from {_pebble.DirectoryUrl}", StringComparison.Ordinal));
            Assert.Contains(log.Lines, line => line.Contains($"certificate of {AcmeHost}: ACME from {_pebble.DirectoryUrl}, waiting", StringComparison.Ordinal));
            var waiting = await SiteProbe.FetchAsync(httpsPort, AcmeHost, ca);
            Assert.Equal(HttpStatusCode.OK, waiting.Status);
            Assert.Contains("waiting for ACME", waiting.Served!.Subject);
            var other = await SiteProbe.FetchAsync(httpsPort, FilesHost, ca);
            Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (other.Errors, other.Status));
            Assert.False(served.IsCompleted);
        }

        // A connection opened on the temporary certificate survives the swap.
        using var open = await OpenTlsAsync(httpsPort, AcmeHost);
        var issued = await served.WaitAsync(IssuanceTimeout);

        using var root = await _pebble.GetRootAsync();
        var after = await SiteProbe.FetchAsync(httpsPort, AcmeHost, root);
        Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (after.Errors, after.Status));
        Assert.Equal(issued.Leaf.Thumbprint, after.Served!.Thumbprint);
        Assert.False(source.Waiting);
        Assert.Contains("HTTP/1.1 200", await GetOnAsync(open, AcmeHost));
        var otherAfter = await SiteProbe.FetchAsync(httpsPort, FilesHost, ca);
        Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (otherAfter.Errors, otherAfter.Status));
        Assert.Equal(1, source.Issuer!.OrdersPlaced);
        Assert.Contains(_logs[0].Lines, line => line.Contains($"site {AcmeHost} now serves its ACME certificate for {AcmeHost}, valid until", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Http01ChallengeResponder.DirectoryUnder(DataDirectory)));
    }

    [Fact]
    public async Task StartAsync_RestartOnSameDataDirectory_ServesTheStoredCertificateAtOnceAndOrdersNothing()
    {
        await StartPebbleAsync();
        var (first, _) = await StartAsync();
        var issued = await NextServed(AcmeSource(first)).WaitAsync(IssuanceTimeout);
        _servers.Remove(first);
        await first.DisposeAsync();

        var (restarted, log) = await StartAsync();
        var source = AcmeSource(restarted);
        Assert.False(source.Waiting);
        Assert.Equal(issued.Leaf.Thumbprint, source.Certificate.Leaf.Thumbprint);
        var loaded = NextServed(source);
        if (source.Issuer!.Current is null)
        {
            await loaded.WaitAsync(IssuanceTimeout); // the issuer's first pass: it loads the stored certificate
        }

        using var root = await _pebble.GetRootAsync();
        var probe = await SiteProbe.FetchAsync(restarted.Addresses.Https[0].Port, AcmeHost, root);
        Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (probe.Errors, probe.Status));
        Assert.Equal(issued.Leaf.Thumbprint, probe.Served!.Thumbprint);
        Assert.Equal(0, source.Issuer.OrdersPlaced);
        Assert.DoesNotContain(log.Lines, line => line.Contains("waiting for its first ACME certificate", StringComparison.Ordinal));
        Assert.Contains(log.Lines, line => line.Contains($"certificate of {AcmeHost}: ACME from {_pebble.DirectoryUrl}, kept in {DataDirectory}; names {AcmeHost}; valid until", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_NoHttpListener_IssuedOverTlsAlpn01InTheHandshake()
    {
        // Port 80 closed: only the HTTPS listener, on the port pebble validates tls-alpn-01 on (RFC 8737).
        await StartPebbleAsync();
        var (server, log) = await StartAsync(listen: $"http: []\n  https: [\"127.0.0.1:{_tlsPort}\"]");
        var source = AcmeSource(server);
        var issued = await NextServed(source).WaitAsync(IssuanceTimeout);

        using var root = await _pebble.GetRootAsync();
        var probe = await SiteProbe.FetchAsync(_tlsPort, AcmeHost, root);
        Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (probe.Errors, probe.Status));
        Assert.Equal(issued.Leaf.Thumbprint, probe.Served!.Thumbprint);
        Assert.Equal(1, source.Issuer!.OrdersPlaced);
        Assert.Equal(AcmeChallenge.TlsAlpn01, source.Issuer.PreferredChallenge);
        Assert.Empty(server.Addresses.Http);
        Assert.DoesNotContain(log.Lines, line => line.Contains("failed", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(TlsAlpn01ChallengeResponder.DirectoryUnder(DataDirectory)));
    }

    [Fact]
    public async Task StartAsync_ShortLivedCertificate_RenewedLiveWhileAnOpenConnectionKeepsWorking()
    {
        // 30 s certificates: renewal when a third is left (RFC 9773's fallback rule), about 20 s in.
        await StartPebbleAsync(validity: TimeSpan.FromSeconds(30));
        var (server, log) = await StartAsync();
        var source = AcmeSource(server);
        var first = await NextServed(source).WaitAsync(IssuanceTimeout);
        var renewed = NextServed(source);
        using var root = await _pebble.GetRootAsync();
        var httpsPort = server.Addresses.Https[0].Port;
        using var open = await OpenTlsAsync(httpsPort, AcmeHost);

        var second = await renewed.WaitAsync(IssuanceTimeout);

        Assert.NotEqual(first.Leaf.Thumbprint, second.Leaf.Thumbprint);
        Assert.True(second.Leaf.NotAfter > first.Leaf.NotAfter);
        var probe = await SiteProbe.FetchAsync(httpsPort, AcmeHost, root);
        Assert.Equal((SslPolicyErrors.None, HttpStatusCode.OK), (probe.Errors, probe.Status));
        Assert.Equal(second.Leaf.Thumbprint, probe.Served!.Thumbprint);
        Assert.Contains("HTTP/1.1 200", await GetOnAsync(open, AcmeHost)); // opened on the first certificate
        Assert.Equal(2, source.Issuer!.OrdersPlaced);
        Assert.Equal(2, log.Lines.Count(line => line.Contains($"site {AcmeHost} now serves its ACME certificate", StringComparison.Ordinal)));
    }

    private async Task<(PortcullisServer Server, TestLog Log)> StartAsync(string otherSites = "", string? listen = null)
    {
        listen ??= $"http: [\"127.0.0.1:{_httpPort}\"]\n  https: [\"127.0.0.1:0\"]";
        var yaml = $"""
            listen:
              {listen}
            data_dir: {DataDirectory}
            acme:
              email: admin@portcullis.test
              directory: {_pebble.DirectoryUrl}
              ca: {_pebble.TlsCertificatePath}
            sites:
              - hosts: [{AcmeHost}]
                routes: [{"{"} path: /, upstream: "{_upstream.Url}" {"}"}]
            {otherSites}
            """;
        var log = new TestLog();
        _logs.Add(log);
        var config = ConfigLoader.LoadText(yaml, "portcullis.yaml", _directory.Path);
        var server = await PortcullisServer.StartAsync(config, new PortcullisServerOptions { LoggerProvider = log, HandleSignals = false });
        _servers.Add(server);
        return (server, log);
    }

    private static AcmeCertificateSource AcmeSource(PortcullisServer server) =>
        Assert.IsType<AcmeCertificateSource>(server.Models.Current.Sites.Find(AcmeHost)!.Certificate);

    // Subscribed before the state is looked at, so a swap in between is not missed.
    private static Task<ServerCertificate> NextServed(AcmeCertificateSource source)
    {
        var next = new TaskCompletionSource<ServerCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Served += certificate => next.TrySetResult(certificate);
        return next.Task;
    }

    private static async Task<SslStream> OpenTlsAsync(int port, string host)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true, // the temporary certificate
        });
        return tls;
    }

    private static async Task<string> GetOnAsync(SslStream tls, string host)
    {
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(tls, Encoding.ASCII, leaveOpen: true);
        return await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "";
    }
}
