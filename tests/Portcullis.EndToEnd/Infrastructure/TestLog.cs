using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>Collects Portcullis's log lines ("level: message") for assertions.</summary>
public sealed class TestLog : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

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
                log.Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
