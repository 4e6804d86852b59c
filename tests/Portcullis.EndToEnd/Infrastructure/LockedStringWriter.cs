using System.Text;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>Collects access-log lines written from the log's background task, and lets tests await one.</summary>
public sealed class LockedStringWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? "");

    public override void WriteLine(string? value) => Append((value ?? "") + "\n");

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public string[] Lines
    {
        get
        {
            lock (_text)
            {
                return _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        lock (_text)
        {
            var existing = _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
    }

    private void Append(string value)
    {
        lock (_text)
        {
            _text.Append(value);
            if (!value.Contains('\n'))
            {
                return;
            }

            var lines = _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var waiter in _waiters.ToArray())
            {
                var line = lines.FirstOrDefault(waiter.Match);
                if (line is not null)
                {
                    waiter.Found.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
