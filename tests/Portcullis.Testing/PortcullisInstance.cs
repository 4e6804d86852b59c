using System.Net;
using System.Net.Security;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;

namespace Portcullis.Testing;

/// <summary>
/// A real Portcullis on 127.0.0.1:0, started from YAML text written to a temporary directory
/// (so reload and relative paths behave as with a real file), with a client that trusts the
/// certificates it serves.
/// </summary>
public sealed class PortcullisInstance : IAsyncDisposable
{
    private bool _ownsDirectory;

    private PortcullisInstance(PortcullisServer server, string directory, string configPath, TestLog log, AccessLogLines accessLog)
    {
        Server = server;
        Directory = directory;
        ConfigPath = configPath;
        Log = log;
        AccessLog = accessLog;
    }

    public PortcullisServer Server { get; }

    public string Directory { get; }

    public string ConfigPath { get; }

    public TestLog Log { get; }

    public AccessLogLines AccessLog { get; }

    public Uri HttpsUrl => Server.Addresses.Https[0];

    public Uri HttpUrl => Server.Addresses.Http[0];

    public int HttpsPort => HttpsUrl.Port;

    /// <summary>The YAML before "sites:" that every test shares: loopback listeners, a private data directory.</summary>
    public static string Preamble(string directory) => $"""
        listen:
          http: ["127.0.0.1:0"]
          https: ["127.0.0.1:0"]
        data_dir: {directory}/data
        """;

    /// <param name="yaml">The config after the preamble (sites, and anything else), or a whole file when it has "listen:".</param>
    public static async Task<PortcullisInstance> StartAsync(string yaml, string? directory = null, TimeSpan? pollInterval = null)
    {
        var ownsDirectory = directory is null;
        directory ??= TempDirectory.Create();
        var configPath = Path.Combine(directory, "portcullis.yaml");
        var text = yaml.Contains("listen:", StringComparison.Ordinal) ? yaml : Preamble(directory) + "\n" + yaml;
        await File.WriteAllTextAsync(configPath, text);
        var log = new TestLog();
        var accessLog = new AccessLogLines();
        var config = ConfigLoader.LoadFile(configPath);
        var server = await PortcullisServer.StartAsync(config, new PortcullisServerOptions
        {
            Reload = () => ConfigLoader.LoadFile(configPath),
            PollInterval = pollInterval ?? TimeSpan.FromSeconds(1),
            AccessLogOutput = accessLog,
            LoggerProvider = log,
            HandleSignals = false,
        });
        return new PortcullisInstance(server, directory, configPath, log, accessLog) { _ownsDirectory = ownsDirectory };
    }

    /// <summary>Replaces the config file and waits until Portcullis has tried to load it.</summary>
    public async Task<IReadOnlyList<ConfigError>> RewriteConfigAsync(string yaml)
    {
        var reloaded = new TaskCompletionSource<IReadOnlyList<ConfigError>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(IReadOnlyList<ConfigError> errors) => reloaded.TrySetResult(errors);
        Server.Models.Reloaded += OnReloaded;
        try
        {
            var text = yaml.Contains("listen:", StringComparison.Ordinal) ? yaml : Preamble(Directory) + "\n" + yaml;
            // Written whole, then renamed into place, as editors and config management do.
            await File.WriteAllTextAsync(ConfigPath + ".new", text);
            File.Move(ConfigPath + ".new", ConfigPath, overwrite: true);
            return await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            Server.Models.Reloaded -= OnReloaded;
        }
    }

    /// <summary>An HttpClient for this instance: accepts the served certificate, follows no redirects.</summary>
    public HttpClient CreateClient(Version? version = null, Action<SocketsHttpHandler>? configure = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        configure?.Invoke(handler);
        return new HttpClient(handler)
        {
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>https://{host}:{port}{path} — the host is sent as Host and SNI, the connection goes to 127.0.0.1.</summary>
    public Uri Https(string host, string path = "/") => new($"https://{host}:{HttpsPort}{path}");

    public Uri Http(string host, string path = "/") => new($"http://{host}:{HttpUrl.Port}{path}");

    /// <summary>Resolves every host name to 127.0.0.1, so tests can use real site names.</summary>
    public static void ResolveToLoopback(SocketsHttpHandler handler) => handler.ConnectCallback = async (context, token) =>
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), token);
        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
    };

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (!_ownsDirectory)
        {
            return; // The test named the directory: it may start another instance on it.
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
