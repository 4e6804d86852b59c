using System.Text;

namespace Portcullis.HAProxy.Infrastructure;

/// <summary>Collects lines written from any thread (Portcullis's access log) and lets a test await one.</summary>
public sealed class LineCollector : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
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

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task FlushAsync() => Task.CompletedTask;

    /// <summary>The first line (already written or still to come) that matches, or a TimeoutException.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(timeout);
        }
    }

    /// <summary>A log line ("Level: message") from Portcullis's logger, through the same waiters.</summary>
    public void AddLine(string line) => Append(line + "\n");

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
            foreach (var line in all[..end].Split('\n'))
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToArray())
                {
                    waiter.Found.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
