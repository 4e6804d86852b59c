using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portcullis.Testing;

/// <summary>
/// Collects Portcullis's log lines ("level: message", then the exception's type and message when
/// one was logged) for assertions and for a failing test to show; given to Portcullis as
/// <c>PortcullisServerOptions.LoggerProvider</c>.
/// </summary>
public sealed class TestLog : ILoggerProvider
{
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Found)> _waiters = [];

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>The first line (already logged or to come) that matches, within the timeout.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        lock (_waiters)
        {
            if (Lines.FirstOrDefault(predicate) is { } line)
            {
                return Task.FromResult(line);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Like <see cref="WaitForLineAsync"/>, for lines logged from now on only.</summary>
    public Task<string> WaitForNextLineAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        lock (_waiters)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, found));
            return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
    }

    private void Add(string line)
    {
        lock (_waiters)
        {
            Lines.Enqueue(line);
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Predicate(line))
                {
                    waiter.Found.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    public string Text => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
