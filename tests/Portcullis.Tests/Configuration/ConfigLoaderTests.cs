using System.Net;
using System.Security.Authentication;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class ConfigLoaderTests : ConfigTextTests
{
    private static readonly string Pin = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void LoadText_FullFile_ReadsEveryField()
    {
        var (certificate, key, _) = TestCertificates.WritePem(Temp.Path, "fullchain", "sso.example.com");
        File.WriteAllText(Temp.File("ca.pem"), File.ReadAllText(certificate));
        var yaml = $$"""
            listen:
              http: ["127.0.0.1:80", "[::1]:80"]
              https: ["*:443"]
              https_port: 8443
            trusted_proxies: [10.0.0.0/8, "fd00::/8", 192.168.1.7]
            data_dir: data
            limits:
              max_request_headers: 32KiB
              max_request_line: 8KiB
              max_request_body: 1GiB
              max_response_headers: 64KiB
              max_streams_per_connection: 200
            timeouts:
              client_header: 10s
              keep_alive: 2m
              upstream_connect: 500ms
              upstream_response: 1h30m
              websocket_idle: 2h
              shutdown_drain: 15
            log:
              access: logs/access.log
              format: json
            sites:
              - hosts: ["SSO.Example.COM.", "*.apps.example.com"]
                tls:
                  certificate: fullchain.crt
                  key: fullchain.key
                  min_version: "1.2"
                hsts: "max-age=31536000; includeSubDomains"
                redirect_http: false
                routes:
                  - path: /
                    upstream: https://authentik:9443
                    upstream_tls:
                      verify: true
                      ca: ca.pem
                      pin_sha256: ["{{Pin}}"]
                      server_name: authentik.internal
                  - path: /outpost/
                    strip_prefix: yes
                    upstream: [http://10.0.0.5:9000, http://10.0.0.6:9000]
              - hosts: other.example.com
                hsts: false
                routes:
                  - upstream: http://other:8080
                    upstream_tls:
                      verify: off
            """;

        var config = Load(yaml);

        Assert.Equal(FileName, config.Source);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:80"), IPEndPoint.Parse("[::1]:80")], config.Listen.Http);
        Assert.Equal([IPEndPoint.Parse("0.0.0.0:443")], config.Listen.Https);
        Assert.Equal(8443, config.Listen.HttpsPort);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8"), IPNetwork.Parse("192.168.1.7/32")], config.TrustedProxies);
        Assert.Equal(Temp.File("data"), config.DataDirectory);
        Assert.Equal(new LimitsConfig
        {
            MaxRequestHeadersBytes = 32 * 1024,
            MaxRequestLineBytes = 8 * 1024,
            MaxRequestBodyBytes = 1L << 30,
            MaxResponseHeadersBytes = 64 * 1024,
            MaxStreamsPerConnection = 200,
        }, config.Limits);
        Assert.Equal(new TimeoutsConfig
        {
            ClientHeader = TimeSpan.FromSeconds(10),
            KeepAlive = TimeSpan.FromMinutes(2),
            UpstreamConnect = TimeSpan.FromMilliseconds(500),
            UpstreamResponse = TimeSpan.FromMinutes(90),
            WebSocketIdle = TimeSpan.FromHours(2),
            ShutdownDrain = TimeSpan.FromSeconds(15),
        }, config.Timeouts);
        Assert.Equal(new LogConfig { Access = Temp.File("logs/access.log"), Format = AccessLogFormat.Json }, config.Log);

        Assert.Equal(2, config.Sites.Count);
        var sso = config.Sites[0];
        Assert.Equal(["sso.example.com", "*.apps.example.com"], sso.Hosts);
        Assert.Equal(certificate, sso.Tls.CertificatePath);
        Assert.Equal(key, sso.Tls.KeyPath);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, sso.Tls.MinVersion);
        Assert.Equal("max-age=31536000; includeSubDomains", sso.Hsts);
        Assert.False(sso.RedirectHttp);
        Assert.Equal(new ConfigLocation(FileName, 24, 5), sso.Location);
        Assert.Equal(2, sso.Routes.Count);
        Assert.Equal("/", sso.Routes[0].Path);
        Assert.False(sso.Routes[0].StripPrefix);
        Assert.Equal([new Uri("https://authentik:9443")], sso.Routes[0].Upstreams);
        Assert.Equal(new UpstreamTlsConfig { Verify = true, CaPath = Temp.File("ca.pem"), PinSha256 = [Pin], ServerName = "authentik.internal" }, sso.Routes[0].UpstreamTls);
        Assert.Equal("/outpost/", sso.Routes[1].Path);
        Assert.True(sso.Routes[1].StripPrefix);
        Assert.Equal([new Uri("http://10.0.0.5:9000"), new Uri("http://10.0.0.6:9000")], sso.Routes[1].Upstreams);
        Assert.Equal(UpstreamTlsConfig.Default, sso.Routes[1].UpstreamTls);

        var other = config.Sites[1];
        Assert.Equal(["other.example.com"], other.Hosts);
        Assert.Null(other.Hsts);
        Assert.True(other.RedirectHttp);
        Assert.Null(other.Tls.CertificatePath);
        Assert.Equal("/", other.Routes[0].Path);
        Assert.False(other.Routes[0].UpstreamTls.Verify);

        Assert.Equal([certificate, key, Temp.File("ca.pem")], config.WatchedFiles);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    public void LoadText_PerClientCapAboveConnections_Read(int value)
    {
        var config = Load($"limits:\n  per_client_cap_above_connections: {value}\n" + Site);

        Assert.Equal(value, config.Limits.PerClientCapAboveConnections);
    }

    [Fact]
    public void LoadText_MinimalFile_UsesDocumentedDefaults()
    {
        var config = Load(Site);

        Assert.Equal([IPEndPoint.Parse("0.0.0.0:8080"), IPEndPoint.Parse("[::]:8080")], config.Listen.Http);
        Assert.Equal([IPEndPoint.Parse("0.0.0.0:8443"), IPEndPoint.Parse("[::]:8443")], config.Listen.Https);
        Assert.Null(config.Listen.HttpsPort);
        Assert.Empty(config.TrustedProxies);
        Assert.EndsWith("portcullis", config.DataDirectory);
        Assert.Equal(new LogConfig { Access = "stdout", Format = AccessLogFormat.Combined }, config.Log);
        Assert.Empty(config.WatchedFiles);

        // Limits fit identity providers: big cookies and JWTs, uploads up to 100 MiB.
        Assert.Equal(new LimitsConfig(), config.Limits);
        Assert.True(config.Limits.MaxRequestHeadersBytes >= 32 * 1024);
        Assert.True(config.Limits.MaxResponseHeadersBytes >= 64 * 1024);
        Assert.True(config.Limits.MaxRequestBodyBytes >= 100 * 1024 * 1024);
        Assert.Equal(100, config.Limits.MaxStreamsPerConnection);
        // The per-client cap binds only under pressure: an office behind one NAT address is not locked out.
        Assert.Equal(1024, config.Limits.PerClientCapAboveConnections);

        Assert.Equal(new TimeoutsConfig(), config.Timeouts);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Timeouts.ClientHeader);
        Assert.Equal(TimeSpan.FromSeconds(75), config.Timeouts.KeepAlive);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Timeouts.UpstreamConnect);
        Assert.Equal(TimeSpan.FromSeconds(100), config.Timeouts.UpstreamResponse);
        Assert.True(config.Timeouts.WebSocketIdle >= TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.FromSeconds(10), config.Timeouts.ShutdownDrain);

        var site = Assert.Single(config.Sites);
        Assert.Equal(["sso.example.com"], site.Hosts);
        Assert.Equal("max-age=63072000", site.Hsts);
        Assert.True(site.RedirectHttp);
        Assert.Equal(new SiteTlsConfig(), site.Tls);
        Assert.Equal(SslProtocols.Tls13, site.Tls.MinVersion);
        var route = Assert.Single(site.Routes);
        Assert.Equal("/", route.Path);
        Assert.False(route.StripPrefix);
        Assert.Equal(UpstreamTlsConfig.Default, route.UpstreamTls);
        Assert.True(route.UpstreamTls.Verify);
    }

    [Theory]
    [InlineData("hsts: true", "max-age=63072000")]
    [InlineData("hsts: false", null)]
    [InlineData("hsts: off", null)]
    [InlineData("hsts: max-age=300", "max-age=300")]
    public void LoadText_HstsValue_SetsHeaderValue(string line, string? expected)
    {
        var config = Load(Site + "    " + line + "\n");

        Assert.Equal(expected, config.Sites[0].Hsts);
    }

    [Theory]
    [InlineData("listen:\n  http: []\n", 0, 2)]
    [InlineData("listen:\n  https: [\"127.0.0.1:8443\"]\n", 2, 1)]
    [InlineData("listen:\n", 2, 2)]
    public void LoadText_ListenSection_KeepsDefaultsForAbsentKeys(string listen, int http, int https)
    {
        var config = Load(listen + Site);

        Assert.Equal(http, config.Listen.Http.Count);
        Assert.Equal(https, config.Listen.Https.Count);
    }

    public static TheoryData<string, int, string, string, string> Mistakes => new()
    {
        // yaml, line, key, message, part of the hint
        { "listn:\n  http: [\"0.0.0.0:80\"]\n" + Site, 1, "listn", "unknown key.", "did you mean 'listen'?" },
        { Site + "    hst: false\n", 6, "sites[0].hst", "unknown key.", "did you mean 'hsts'?" },
        { Site + "        upstream_tsl: {verify: false}\n", 6, "sites[0].routes[0].upstream_tsl", "unknown key.", "did you mean 'upstream_tls'?" },
        { "frobnicate: 1\n" + Site, 1, "frobnicate", "unknown key.", "known keys here: listen, trusted_proxies, data_dir, limits, timeouts, log, sites, admin, acme." },
        { Site + "    hsts: [a, b]\n", 6, "sites[0].hsts", "expected a single value, found a list.", "write it on the same line as the key." },
        { "limits:\n  max_request_body: {size: 1}\n" + Site, 2, "limits.max_request_body", "expected a single value, found a mapping.", "same line" },
        { "trusted_proxies: {a: b}\n" + Site, 1, "trusted_proxies", "expected a value or a list, found a mapping.", "a list in [brackets]" },
        { "trusted_proxies: [[10.0.0.0/8]]\n" + Site, 1, "trusted_proxies", "expected a single value in this list.", "each list item is one string." },
        { "listen: [\"0.0.0.0:80\"]\n" + Site, 1, "listen", "expected keys under it, found a list.", "indented" },
        { Site + "    tls: /etc/ssl/cert.pem\n", 6, "sites[0].tls", "expected keys under it, found a single value.", "indented" },
        { Site + "        upstream_tls: false\n", 6, "sites[0].routes[0].upstream_tls", "expected keys under it, found a single value.", "indented" },
        { "timeouts:\n  upstream_connect: 10 seconds\n" + Site, 2, "timeouts.upstream_connect", "'10 seconds' is not a duration.", "500ms, 30s, 10m or 1h" },
        { "timeouts:\n  websocket_idle: 0s\n" + Site, 2, "timeouts.websocket_idle", "'0s' is not a duration.", "500ms" },
        { "timeouts:\n  keep_alive: 1e300\n" + Site, 2, "timeouts.keep_alive", "'1e300' is not a duration.", "500ms" },
        { "limits:\n  max_request_body: lots\n" + Site, 2, "limits.max_request_body", "'lots' is not a size of at least 0 bytes.", "64KiB, 100MiB" },
        { "limits:\n  max_request_headers: 100\n" + Site, 2, "limits.max_request_headers", "'100' is not a size of at least 1024 bytes.", "64KiB" },
        { "limits:\n  max_streams_per_connection: 0\n" + Site, 2, "limits.max_streams_per_connection", "'0' is not a whole number from 1 to 10000.", "from 1 to 10000" },
        { "limits:\n  per_client_cap_above_connections: -1\n" + Site, 2, "limits.per_client_cap_above_connections", "'-1' is not a whole number from 0 to 10000000.", "from 0 to 10000000" },
        { Site + "    redirect_http: maybe\n", 6, "sites[0].redirect_http", "'maybe' is not true or false.", "write true or false." },
        { Site + "        strip_prefix: 1\n", 6, "sites[0].routes[0].strip_prefix", "'1' is not true or false.", "true or false" },
        { Site + "    hsts: 2 years\n", 6, "sites[0].hsts", "'2 years' is not a Strict-Transport-Security value.", "max-age=63072000" },
        { "trusted_proxies: [10.0.0.1/8]\n" + Site, 1, "trusted_proxies", "'10.0.0.1/8' is not a CIDR.", "no host bits set" },
        { "trusted_proxies:\n  - 10.0.0.0/8\n  - not-an-ip\n" + Site, 3, "trusted_proxies", "'not-an-ip' is not a CIDR.", "10.0.0.0/8 or fd00::/8" },
        { "trusted_proxies: [10.0.0.0/33]\n" + Site, 1, "trusted_proxies", "'10.0.0.0/33' is not a CIDR.", "prefix length" },
        { "trusted_proxies: [\"fd00::1/8\"]\n" + Site, 1, "trusted_proxies", "'fd00::1/8' is not a CIDR.", "prefix length" },
        { "listen:\n  https: [\"localhost:443\"]\n" + Site, 2, "listen.https", "'localhost:443' is not an IP address and port.", "\"0.0.0.0:443\", \"[::]:443\"" },
        { "listen:\n  https: [\"0.0.0.0\"]\n" + Site, 2, "listen.https", "'0.0.0.0' is not an IP address and port.", "0.0.0.0:443" },
        { "listen:\n  http: \"[::]\"\n" + Site, 2, "listen.http", "'[::]' is not an IP address and port.", "0.0.0.0:443" },
        { "listen:\n  http: [\"0.0.0.0:99999\"]\n" + Site, 2, "listen.http", "'0.0.0.0:99999' is not an IP address and port.", "0.0.0.0:443" },
        { "listen:\n  https_port: 0\n" + Site, 2, "listen.https_port", "'0' is not a whole number from 1 to 65535.", "from 1 to 65535" },
        { "log:\n  format: xml\n" + Site, 2, "log.format", "'xml' is not a log format.", "\"combined\" or \"json\"" },
        { Site.Replace("https://authentik:9443", "https://authentik:9443/app"), 5, "sites[0].routes[0].upstream", "'https://authentik:9443/app' is not an upstream URL.", "use strip_prefix to change paths" },
        { Site.Replace("https://authentik:9443", "https://authentik:9443/?x=1"), 5, "sites[0].routes[0].upstream", "'https://authentik:9443/?x=1' is not an upstream URL.", "with no path" },
        { Site.Replace("https://authentik:9443", "ftp://authentik:21"), 5, "sites[0].routes[0].upstream", "'ftp://authentik:21' is not an upstream URL.", "http://host:port or https://host:port" },
        { Site.Replace("https://authentik:9443", "authentik:9443"), 5, "sites[0].routes[0].upstream", "'authentik:9443' is not an upstream URL.", "https://host:port" },
        { Site.Replace("https://authentik:9443", "https://user:pw@authentik:9443"), 5, "sites[0].routes[0].upstream", "'https://user:pw@authentik:9443' is not an upstream URL.", "https://host:port" },
        { Site.Replace("upstream: https://authentik:9443", "strip_prefix: false"), 4, "sites[0].routes[0].upstream", "the route has no upstream.", "upstream: https://authentik:9443." },
        { Site.Replace("path: /", "path: authentik/"), 4, "sites[0].routes[0].path", "'authentik/' is not a path prefix.", "start it with '/'" },
        { Site.Replace("[sso.example.com]", "[\"https://sso.example.com\", b.example.com]"), 2, "sites[0].hosts", "'https://sso.example.com' is not a host name.", "without scheme or port" },
        { Site.Replace("[sso.example.com]", "[\"sso.example.com:443\", b.example.com]"), 2, "sites[0].hosts", "'sso.example.com:443' is not a host name.", "without scheme or port" },
        { Site.Replace("[sso.example.com]", "[]"), 2, "sites[0].hosts", "a site needs at least one host name.", "421/404" },
        { Site + "    tls:\n      min_version: \"1.1\"\n", 7, "sites[0].tls.min_version", "TLS 1.1 is not offered.", "RFC 8996" },
        { Site + "        upstream_tls:\n          pin_sha256: [abc]\n", 7, "sites[0].routes[0].upstream_tls.pin_sha256", "'abc' is not a base64 SHA-256 hash.", "openssl x509 -pubkey" },
        { "sites: []\n", 1, "sites", "no site is configured.", "add a site" },
        { "sites:\n  - sso.example.com\n", 2, "sites[0]", "a site must be a mapping.", "under the dash" },
        { "sites:\n  - hosts: [sso.example.com]\n", 2, "sites[0].routes", "a site needs at least one route.", "routes: [{ path: /" },
        { "sites:\n  - hosts: [sso.example.com]\n    routes: [https://authentik:9443]\n", 3, "sites[0].routes[0]", "a route must be a mapping.", "path: and upstream:" },
        { Site + "      - path: /\n        upstream: http://other:80\n", 6, "sites[0].routes[1].path", "the prefix '/' is routed twice in this site.", "merge the two routes" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void LoadText_Mistake_ReportsLineKeyMessageAndHint(string yaml, int line, string key, string message, string hint)
    {
        var errors = Errors(yaml);

        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
        Assert.Contains(hint, error.Hint);
        Assert.Equal(FileName, error.Location.Source);
        Assert.Equal(line, error.Location.Line);
        Assert.StartsWith($"{FileName}:{line}:", error.ToString());
    }

    [Fact]
    public void LoadText_UnknownKey_ErrorPointsAtTheKeyColumn()
    {
        var error = Assert.Single(Errors(Site + "    hst: false\n"));

        Assert.Equal(new ConfigLocation(FileName, 6, 5), error.Location);
        Assert.Equal("portcullis.yaml:6:5: sites[0].hst: unknown key. Hint: did you mean 'hsts'?", error.ToString());
    }

    [Fact]
    public void LoadText_SameHostInTwoSitesDifferentCase_ReportsSecondSite()
    {
        var yaml = Site + """
              - hosts: [www.example.com, SSO.Example.com]
                routes:
                  - upstream: http://other:80
            """;

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("sites[1].hosts", error.Key);
        Assert.Equal("'sso.example.com' is already served by sites[0].", error.Message);
        Assert.Contains("a host name belongs to one site", error.Hint);
        Assert.Equal(6, error.Location.Line);
    }

    [Fact]
    public void LoadText_CertificateFilesMissing_ReportsEachFileWithFullPath()
    {
        var yaml = Site + """
                tls:
                  certificate: live/fullchain.pem
                  key: live/privkey.pem
            """;

        var errors = Errors(yaml);

        Assert.Equal(2, errors.Count);
        Assert.Equal("sites[0].tls.certificate", errors[0].Key);
        Assert.Equal($"file '{Temp.File("live/fullchain.pem")}' does not exist or cannot be read.", errors[0].Message);
        Assert.Contains("fullchain.pem", errors[0].Hint);
        Assert.Equal("sites[0].tls.key", errors[1].Key);
        Assert.Equal($"file '{Temp.File("live/privkey.pem")}' does not exist or cannot be read.", errors[1].Message);
        Assert.All(errors, e => Assert.Equal(2, e.Location.Line));
    }

    [Fact]
    public void LoadText_CaFileMissing_ReportsRouteKey()
    {
        var error = Assert.Single(Errors(Site + "        upstream_tls:\n          ca: /nonexistent/ca.pem\n"));

        Assert.Equal("sites[0].routes[0].upstream_tls.ca", error.Key);
        Assert.Equal("file '/nonexistent/ca.pem' does not exist or cannot be read.", error.Message);
        Assert.Contains("CA certificate", error.Hint);
    }

    [Fact]
    public void LoadText_NothingToListenOn_ReportsListen()
    {
        var error = Assert.Single(Errors("listen:\n  http: []\n  https: []\n" + Site));

        Assert.Equal("listen", error.Key);
        Assert.Equal("nothing to listen on.", error.Message);
        Assert.Equal(FileName, error.ToString()[..FileName.Length]);
    }

    [Theory]
    [InlineData("sites:\n  - hosts: [sso.example.com\n    routes: []\n", 2)]
    [InlineData("listen:\n  http: [\"0.0.0.0:80\"]\n https: x\n", 3)]
    [InlineData("sites:\n\t- hosts: []\n", 1)]
    [InlineData("a: 'unterminated\n", 1)]
    public void LoadText_YamlSyntaxError_ReportsLineOfTheError(string yaml, int line)
    {
        var error = Assert.Single(Errors(yaml));

        Assert.Equal("(syntax)", error.Key);
        Assert.Equal(line, error.Location.Line);
        Assert.NotEmpty(error.Message);
        Assert.Contains("indentation", error.Hint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing here\n")]
    [InlineData("listen:\n  http: [\"0.0.0.0:80\"]\n")]
    public void LoadText_NoSites_ReportsNoSiteConfigured(string yaml)
    {
        var error = Assert.Single(Errors(yaml));

        Assert.Equal("sites", error.Key);
        Assert.Equal("no site is configured.", error.Message);
        Assert.Contains("sites: [{ hosts: [sso.domain.tld]", error.Hint);
    }

    [Fact]
    public void LoadText_RootIsAList_ReportsMapping()
    {
        var error = Assert.Single(Errors("- a\n- b\n"));

        Assert.Equal("(root)", error.Key);
        Assert.Equal(1, error.Location.Line);
    }

    [Fact]
    public void LoadText_CertificateWithoutKey_BothTheMissingKeyAndTheMissingFileReported()
    {
        var errors = Errors(Site + "    tls:\n      certificate: fullchain.pem\n");

        Assert.Collection(errors.OrderBy(e => e.Key),
            pairing =>
            {
                Assert.Equal("sites[0].tls", pairing.Key);
                Assert.Equal("certificate and key go together.", pairing.Message);
                Assert.Contains("fullchain.pem and privkey.pem", pairing.Hint);
                Assert.Equal(7, pairing.Location.Line);
            },
            missing =>
            {
                Assert.Equal("sites[0].tls.certificate", missing.Key);
                Assert.Contains("fullchain.pem' does not exist", missing.Message);
            });
    }

    [Fact]
    public void LoadText_SeveralMistakes_ReportsThemAll()
    {
        var yaml = """
            listen:
              htps: ["0.0.0.0:443"]
            trusted_proxies: [10.0.0.1/8]
            timeouts:
              upstream_connect: soon
            sites:
              - hosts: [sso.example.com]
                tls:
                  min_version: "1.0"
                routes:
                  - path: /
                    upstream: ftp://authentik
              - hosts: [SSO.example.com]
                routes:
                  - upstream: http://other:80
            """;

        var exception = Assert.Throws<ConfigException>(() => Load(yaml));

        Assert.Equal(
            [(2, "listen.htps"), (3, "trusted_proxies"), (5, "timeouts.upstream_connect"), (9, "sites[0].tls.min_version"), (12, "sites[0].routes[0].upstream"), (13, "sites[1].hosts")],
            exception.Errors.Select(e => (e.Location.Line, e.Key)).Order());
        Assert.StartsWith("6 configuration error(s):", exception.Message);
        Assert.Contains("portcullis.yaml:12:", exception.Message);
    }

    [Fact]
    public void LoadText_OverlapAndReadErrors_ReportsBothOnceTheFileReadsCleanly()
    {
        // Cross-key checks run on a well-typed config: a duplicate host is reported once the
        // per-key errors are fixed, so a clean file with only the overlap still fails.
        var yaml = Site + "  - hosts: [sso.example.com]\n    routes: [{ upstream: \"http://b:80\" }]\n";

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("sites[1].hosts", error.Key);
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsPathAndHint()
    {
        var path = Temp.File("absent.yaml");

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(path, error.Location.Source);
        Assert.Equal("(file)", error.Key);
        Assert.Contains("--config", error.Hint);
    }

    [Fact]
    public void LoadFile_ValidFile_WatchesTheFileItself()
    {
        var path = Temp.Write("portcullis.yaml", Site);

        var config = ConfigLoader.LoadFile(path);

        Assert.Equal([path], config.WatchedFiles);
    }
}
