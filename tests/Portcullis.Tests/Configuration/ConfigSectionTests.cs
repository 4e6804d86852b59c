using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

/// <summary>
/// The reading core as a user meets it: every key the README documents is known, a key no reader
/// reads is reported with its full path and the closest known key, and absent sections take the
/// records' defaults.
/// </summary>
public sealed class ConfigSectionTests : ConfigTextTests
{
    [Fact]
    public void LoadText_EveryDocumentedKey_ReadsWithoutError()
    {
        Temp.Write("fullchain.pem", "");
        Temp.Write("privkey.pem", "");
        Temp.Write("ca.pem", "");
        var yaml = """
            listen:
              http: ["0.0.0.0:8080"]
              https: ["0.0.0.0:8443"]
              https_port: 443
            trusted_proxies: [10.0.0.0/8]
            data_dir: data
            limits:
              max_request_headers: 64KiB
              max_request_line: 16KiB
              max_request_body: 100MiB
              max_response_headers: 128KiB
              max_streams_per_connection: 100
              max_connections_per_client: 256
              min_request_body_rate: 240
            timeouts:
              client_header: 30s
              keep_alive: 75s
              upstream_connect: 10s
              upstream_response: 100s
              websocket_idle: 1h
              shutdown_drain: 10s
            log:
              access: stdout
              format: combined
            sites:
              - hosts: ["sso.domain.tld"]
                tls:
                  certificate: fullchain.pem
                  key: privkey.pem
                  min_version: "1.3"
                hsts: "max-age=63072000"
                redirect_http: true
                routes:
                  - path: /
                    upstream: https://authentik:9443
                    strip_prefix: false
                    upstream_tls:
                      verify: true
                      ca: ca.pem
                      pin_sha256: []
                      server_name: authentik.internal
                    health_check:
                      path: /-/health/live/
                      interval: 10s
                      timeout: 2s
                      unhealthy_after: 2
                      healthy_after: 1
            """;

        var config = Load(yaml);

        Assert.Equal(new LimitsConfig(), config.Limits);
        Assert.Equal(new TimeoutsConfig(), config.Timeouts);
        Assert.Equal(new HealthCheckConfig { Path = "/-/health/live/" }, config.Sites[0].Routes[0].HealthCheck);
        Assert.Equal(443, config.Listen.HttpsPort);
    }

    public static TheoryData<string, int, string, string> MisspeltKeys => new()
    {
        // yaml, line, key path, suggestion
        { "sitse: []\n" + Site, 1, "sitse", "sites" },
        { "listen:\n  https_prot: 443\n" + Site, 2, "listen.https_prot", "https_port" },
        { "limits:\n  max_request_bdy: 1MiB\n" + Site, 2, "limits.max_request_bdy", "max_request_body" },
        { "limits:\n  max_connections_per_clients: 5\n" + Site, 2, "limits.max_connections_per_clients", "max_connections_per_client" },
        { "timeouts:\n  keepalive: 5s\n" + Site, 2, "timeouts.keepalive", "keep_alive" },
        { "log:\n  acess: off\n" + Site, 2, "log.acess", "access" },
        { Site + "    redirect-http: false\n", 6, "sites[0].redirect-http", "redirect_http" },
        { Site + "    tls:\n      certificat: a.pem\n", 7, "sites[0].tls.certificat", "certificate" },
        { Site + "        strip_prefx: true\n", 6, "sites[0].routes[0].strip_prefx", "strip_prefix" },
        { Site + "        upstream_tls:\n          verfy: false\n", 7, "sites[0].routes[0].upstream_tls.verfy", "verify" },
        { Site + "        health_check:\n          path: /\n          intervall: 5s\n", 8, "sites[0].routes[0].health_check.intervall", "interval" },
    };

    [Theory]
    [MemberData(nameof(MisspeltKeys))]
    public void LoadText_MisspeltKeyInAnySection_ReportsFullPathAndClosestKey(string yaml, int line, string key, string suggestion)
    {
        var error = Assert.Single(Errors(yaml));

        Assert.Equal(key, error.Key);
        Assert.Equal("unknown key.", error.Message);
        Assert.Equal($"did you mean '{suggestion}'?", error.Hint);
        Assert.Equal(line, error.Location.Line);
    }

    [Theory]
    [InlineData("timeouts:\n  frobnicate: 1\n" + Site, "timeouts.frobnicate", "client_header, keep_alive, upstream_connect, upstream_response, websocket_idle, websocket_ping, shutdown_drain")]
    [InlineData(Site + "    frobnicate: 1\n", "sites[0].frobnicate", "hosts, tls, hsts, redirect_http, forward_auth, routes")]
    [InlineData(Site + "    tls:\n      frobnicate: 1\n", "sites[0].tls.frobnicate", "certificate, key, min_version, acme")]
    [InlineData(Site + "        frobnicate: 1\n", "sites[0].routes[0].frobnicate", "path, upstream, strip_prefix, upstream_tls, health_check, forward_auth")]
    [InlineData(Site + "        upstream_tls:\n          frobnicate: 1\n", "sites[0].routes[0].upstream_tls.frobnicate", "verify, ca, pin_sha256, server_name")]
    [InlineData(Site + "        health_check:\n          path: /\n          frobnicate: 1\n", "sites[0].routes[0].health_check.frobnicate", "path, interval, timeout, unhealthy_after, healthy_after")]
    public void LoadText_UnrelatedKey_ListsTheSectionsKeysInDocumentedOrder(string yaml, string key, string known)
    {
        var error = Assert.Single(Errors(yaml));

        Assert.Equal(key, error.Key);
        Assert.Equal($"known keys here: {known}.", error.Hint);
    }

    [Fact]
    public void LoadText_UnknownKeysAndBadValues_EachSectionsUnknownKeysComeFirst()
    {
        var yaml = """
            timeouts:
              keep_alive: soon
              frobnicate: 1
            sites:
              - hosts: [sso.example.com]
                routes:
                  - upstream: ftp://authentik
                    strip_prefx: true
                hst: false
            """;

        var errors = Errors(yaml);

        Assert.Equal(
            ["timeouts.frobnicate", "timeouts.keep_alive", "sites[0].hst", "sites[0].routes[0].strip_prefx", "sites[0].routes[0].upstream"],
            errors.Select(e => e.Key));
    }

    [Theory]
    [InlineData("limits:\ntimeouts: ~\nlog: {}\nlisten: null\n")]
    [InlineData("")]
    public void LoadText_SectionsAbsentOrEmpty_TakeTheRecordDefaults(string sections)
    {
        var config = Load(sections + Site);

        Assert.Equal(new LimitsConfig(), config.Limits);
        Assert.Equal(new TimeoutsConfig(), config.Timeouts);
        Assert.Equal(new LogConfig(), config.Log);
        Assert.Equal(new ListenConfig().Http, config.Listen.Http);
        Assert.Equal(new ListenConfig().Https, config.Listen.Https);
        Assert.Equal(UpstreamTlsConfig.Default, config.Sites[0].Routes[0].UpstreamTls);
        Assert.Equal(new SiteTlsConfig(), config.Sites[0].Tls);
    }
}
