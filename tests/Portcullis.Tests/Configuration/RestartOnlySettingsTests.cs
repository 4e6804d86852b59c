using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class RestartOnlySettingsTests
{
    private const string Site = """
        sites:
          - hosts: [sso.example.com]
            routes:
              - path: /
                upstream: https://authentik:9443

        """;

    private static readonly ProxyConfig Started = Load("");

    public static TheoryData<string, string> RestartOnlyChanges => new()
    {
        // what the file gains on reload, the key path that waits for a restart
        { "listen:\n  http: [\"127.0.0.1:8080\"]\n", "listen.http" },
        { "listen:\n  https: [\"0.0.0.0:8443\"]\n", "listen.https" },
        { "listen:\n  proxy_protocol: true\ntrusted_proxies: [10.0.0.0/8]\n", "listen.proxy_protocol" },
        { "admin:\n  listen: \"127.0.0.1:9901\"\n", "admin.listen" },
    };

    [Theory]
    [MemberData(nameof(RestartOnlyChanges))]
    public void Pending_RestartOnlyKeyChanged_ListsIt(string change, string key)
    {
        Assert.Equal([key], RestartOnlySettings.Pending(Started, Load(change)));
    }

    [Fact]
    public void Pending_SameConfigurationReadAgain_Empty()
    {
        var yaml = "listen:\n  http: [\"127.0.0.1:8080\"]\nlimits:\n  max_request_line: 32KiB\ntimeouts:\n  keep_alive: 10m\n";

        Assert.Empty(RestartOnlySettings.Pending(Load(yaml), Load(yaml)));
    }

    [Theory]
    [InlineData("listen:\n  https_port: 443\n")]
    [InlineData("trusted_proxies: [10.0.0.0/8]\n")]
    [InlineData("data_dir: /var/lib/portcullis\n")]
    [InlineData("limits:\n  max_request_headers: 16KiB\n")]
    [InlineData("limits:\n  max_request_headers: 128KiB\n")]
    [InlineData("limits:\n  max_request_line: 32KiB\n")]
    [InlineData("limits:\n  max_streams_per_connection: 50\n")]
    [InlineData("limits:\n  min_request_body_rate: 0\n")]
    [InlineData("timeouts:\n  client_header: 5s\n")]
    [InlineData("timeouts:\n  keep_alive: 10m\n")]
    [InlineData("timeouts:\n  shutdown_drain: 1m\n")]
    [InlineData("limits:\n  max_request_body: 1GiB\n")]
    [InlineData("limits:\n  max_response_headers: 256KiB\n")]
    [InlineData("limits:\n  max_connections_per_client: 10\n")]
    [InlineData("timeouts:\n  upstream_connect: 1s\n")]
    [InlineData("timeouts:\n  upstream_response: 10m\n")]
    [InlineData("timeouts:\n  websocket_idle: 4h\n")]
    [InlineData("log:\n  access: off\n  format: json\n")]
    public void Pending_LiveKeyChanged_Empty(string change)
    {
        Assert.Empty(RestartOnlySettings.Pending(Started, Load(change)));
    }

    [Fact]
    public void Pending_SiteChanged_Empty()
    {
        var changed = Load("").Sites[0] with { Hsts = null, RedirectHttp = false };

        Assert.Empty(RestartOnlySettings.Pending(Started, Started with { Sites = [changed] }));
    }

    [Fact]
    public void Pending_SeveralChanged_ListsOnlyTheListeners()
    {
        var current = Load("timeouts:\n  keep_alive: 10m\n  upstream_response: 10m\nlisten:\n  https: [\"0.0.0.0:443\"]\n  https_port: 443\nlimits:\n  max_request_line: 32KiB\n");

        Assert.Equal(["listen.https"], RestartOnlySettings.Pending(Started, current));
    }

    [Fact]
    public void Keys_EveryRestartOnlyKey_HasAChangeCaseAbove()
    {
        Assert.Equal(RestartOnlyChanges.Select(row => (string)row[1]).Order(), RestartOnlySettings.Keys.Order());
    }

    private static ProxyConfig Load(string change) => ConfigLoader.LoadText(change + Site, "portcullis.yaml", AppContext.BaseDirectory);
}
