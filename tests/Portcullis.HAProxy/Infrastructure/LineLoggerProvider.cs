using Microsoft.Extensions.Logging;

namespace Portcullis.HAProxy.Infrastructure;

/// <summary>Portcullis's log lines ("Level: message") into a <see cref="LineCollector"/>.</summary>
public sealed class LineLoggerProvider(LineCollector lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(LineCollector lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.AddLine($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
