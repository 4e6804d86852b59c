using System.Text;

namespace Portcullis.Testing;

/// <summary>
/// Collects Portcullis's access-log lines (given as <c>PortcullisServerOptions.AccessLogOutput</c>;
/// written from the log's background task) and lets a test await one. A line counts once its
/// line break has been written.
/// </summary>
public sealed class AccessLogLines : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? "");

    public override void WriteLine(string? value) => Append((value ?? "") + "\n");

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task FlushAsync() => Task.CompletedTask;

    /// <summary>The first line (already written or still to come) that matches, or a TimeoutException (default 10 s).</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        lock (_lines)
        {
            var existing = _lines.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
    }

    private void Append(string text)
    {
        lock (_lines)
        {
            _pending.Append(text);
            var all = _pending.ToString();
            var end = all.LastIndexOf('\n');
            if (end < 0)
            {
                return;
            }

            _pending.Clear().Append(all[(end + 1)..]);
            foreach (var line in all[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Found.TrySetResult(line);
                }
            }
        }
    }
}
