using System.Diagnostics;
using System.Net;
using System.Text;

namespace Portcullis.HAProxy.Infrastructure;

/// <summary>
/// Debian's HAProxy in the foreground (-db), in TCP mode, forwarding one loopback port to a
/// backend with the given server options (send-proxy, send-proxy-v2). Stopped on dispose.
/// </summary>
public sealed class HAProxyProcess : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/haproxy";

    private readonly Process _process;
    private readonly InheritedListener _listener;
    private readonly StringBuilder _output;
    private readonly string _directory;

    private HAProxyProcess(Process process, InheritedListener listener, StringBuilder output, string directory)
    {
        _process = process;
        _listener = listener;
        _output = output;
        _directory = directory;
    }

    /// <summary>Where clients connect: 127.0.0.1 and the port the kernel chose.</summary>
    public IPEndPoint Endpoint => new(IPAddress.Loopback, _listener.Port);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Fails (never skips) when HAProxy is missing: a skipped test would read as a pass.</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"{ExecutablePath} not found: install Debian's haproxy (apt-get install haproxy) — .ci/run does.");
        }
    }

    public static async Task<HAProxyProcess> StartAsync(IPEndPoint backend, string serverOptions)
    {
        RequireInstalled();
        var directory = Directory.CreateTempSubdirectory("portcullis-haproxy-").FullName;
        var listener = new InheritedListener();
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                nbthread 1
                log stderr format short local0 info
            defaults
                mode tcp
                log global
                option tcplog
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend in
                bind fd@{listener.Descriptor}
                default_backend portcullis
            backend portcullis
                server portcullis {backend} {serverOptions}

            """);
        // Checked first (-c exits with the verdict), so a refused config fails with HAProxy's words.
        var check = await RunAsync(["-c", "-f", config]);
        if (check.ExitCode != 0)
        {
            listener.Dispose();
            Assert.Fail($"haproxy -c refused the config ({check.ExitCode}):\n{check.Output}");
        }

        var output = new StringBuilder();
        var process = Start(["-db", "-f", config], output);
        // The socket listens already: the kernel queues connections until HAProxy accepts them.
        var haproxy = new HAProxyProcess(process, listener, output, directory);
        return haproxy;
    }

    private static Process Start(string[] arguments, StringBuilder output)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(ExecutablePath, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments)
    {
        var output = new StringBuilder();
        using var process = Start(arguments, output);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _listener.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
