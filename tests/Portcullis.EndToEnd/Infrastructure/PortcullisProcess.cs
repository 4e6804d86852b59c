using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>The real `portcullis` program as a child process: its output, its exit code, real signals.</summary>
public sealed class PortcullisProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private PortcullisProcess(Process process)
    {
        _process = process;
    }

    public string Output => string.Join("\n", _lines);

    public int Id => _process.Id;

    public static PortcullisProcess Start(string arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "portcullis.dll")}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        info.Environment["HOME"] = workingDirectory ?? Path.GetTempPath();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var self = new PortcullisProcess(process);
        process.OutputDataReceived += (_, e) => self.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => self.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    /// <summary>Runs to completion and returns the exit code and everything printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        await using var process = Start(arguments, environment, workingDirectory);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }

    public Task<Match> WaitForOutputAsync(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern);
        lock (_waiters)
        {
            foreach (var line in _lines)
            {
                if (regex.Match(line) is { Success: true } match)
                {
                    return Task.FromResult(match);
                }
            }

            var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((regex, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Waits for the start-up line and returns the HTTPS URL it names.</summary>
    public async Task<Uri> WaitForHttpsAsync() => new((await WaitForOutputAsync(@"listening on (https://[^ ]+)")).Groups[1].Value);

    public async Task<Uri> WaitForHttpAsync() => new((await WaitForOutputAsync(@"listening on (http://[^ ]+)")).Groups[1].Value);

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Pattern.Match(line) is { Success: true } match)
                {
                    waiter.Found.TrySetResult(match);
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
