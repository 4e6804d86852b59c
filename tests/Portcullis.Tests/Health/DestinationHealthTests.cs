using Microsoft.Extensions.Logging;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Health;

namespace Portcullis.Tests.Health;

public sealed class DestinationHealthTests
{
    private static readonly HealthCheckConfig Check = new() { Path = "/-/health/live/", UnhealthyAfter = 2, HealthyAfter = 2 };

    private readonly UpstreamHealthTable _table = new();
    private readonly List<string> _log = [];

    public DestinationHealthTests() => _table.Logger = new ListLogger(_log);

    private static long Now => Environment.TickCount64;

    [Fact]
    public void ReportProbe_FailuresBelowThreshold_StaysAvailable_AtThreshold_DownWithOneLogLine()
    {
        var health = Probed();

        health.ReportProbe(false, "answered 503", Check);
        var afterOne = health.IsAvailable(Now);
        health.ReportProbe(false, "answered 503", Check);
        health.ReportProbe(false, "answered 503", Check);

        Assert.True(afterOne);
        Assert.False(health.IsAvailable(Now));
        Assert.Equal(["Warning: upstream http://a:9000 is down: health check GET /-/health/live/ failed 2 time(s) in a row (answered 503); out of rotation until it passes"], _log);
    }

    [Fact]
    public void ReportProbe_Down_BackAfterHealthyAfterPassesInARow()
    {
        var health = Probed();
        health.ReportProbe(false, "answered 503", Check);
        health.ReportProbe(false, "answered 503", Check);

        health.ReportProbe(true, "answered 200", Check);
        var afterOne = health.IsAvailable(Now);
        health.ReportProbe(true, "answered 204", Check);

        Assert.False(afterOne);
        Assert.True(health.IsAvailable(Now));
        Assert.Equal("Information: upstream http://a:9000 is up: health check GET /-/health/live/ passed (answered 204)", _log[^1]);
    }

    [Fact]
    public void ReportTransportFailure_Unprobed_OutForTheBackoff_LoggedOnce()
    {
        var health = _table.GetOrAdd("http://a:9000");

        health.ReportTransportFailure("Connection refused");
        health.ReportTransportFailure("Connection refused");

        Assert.False(health.IsAvailable(Now));
        Assert.True(health.IsAvailable(Now + (long)DestinationHealth.PassiveBackoff.TotalMilliseconds + 1));
        Assert.Equal(["Warning: upstream http://a:9000 is down: Connection refused; skipped for 5s"], _log);
    }

    [Fact]
    public void ReportTransportFailure_Probed_OutUntilTheHealthCheckPasses_NotJustTheBackoff()
    {
        var health = Probed();

        health.ReportTransportFailure("Connection refused");
        var afterBackoff = health.IsAvailable(Now + (long)DestinationHealth.PassiveBackoff.TotalMilliseconds + 1);
        health.ReportProbe(true, "answered 200", Check);
        health.ReportProbe(true, "answered 200", Check);

        Assert.False(afterBackoff);
        Assert.True(health.IsAvailable(Now));
        Assert.Contains("out of rotation until its health check passes", _log[0]);
    }

    [Fact]
    public void ProbeStopped_LastProbeOfADownServer_BackInRotation()
    {
        var health = Probed();
        health.ReportProbe(false, "answered 503", Check);
        health.ReportProbe(false, "answered 503", Check);

        health.ProbeStopped();

        Assert.True(health.IsAvailable(Now));
        Assert.Contains("no longer health-checked", _log[^1]);
    }

    [Fact]
    public void Find_WebSocketUri_IsTheHttpServer()
    {
        var health = _table.GetOrAdd("https://authentik:9443");

        Assert.Same(health, _table.Find(new Uri("wss://authentik:9443/ws/client/")));
        Assert.Same(health, _table.Find(new Uri("https://authentik:9443/-/health/live/")));
        Assert.Null(_table.Find(new Uri("https://other:9443/")));
    }

    private DestinationHealth Probed()
    {
        var health = _table.GetOrAdd("http://a:9000");
        health.ProbeStarted();
        return health;
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
