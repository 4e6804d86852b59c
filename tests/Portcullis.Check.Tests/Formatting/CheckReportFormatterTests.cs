using System.Text.Json;

namespace Portcullis.Check.Tests.Formatting;

public class CheckReportFormatterTests
{
    private static readonly CheckReport Report = new(
    [
        new(CheckIds.HttpRedirect, "HTTP redirects", CheckStatus.Pass, "301 -> https://sso.domain.tld/", null),
        new(CheckIds.TlsVersions, "TLS 1.3", CheckStatus.Warn, "offers TLS 1.2, 1.3", "nginx: ssl_protocols TLSv1.3; | Caddy: tls { protocols tls1.3 }"),
        new(CheckIds.ClientIpSpoofXff, "No spoofing", CheckStatus.Fail, "upstream concluded client IP 6.6.6.6", "nginx: proxy_set_header X-Forwarded-For $remote_addr; | HAProxy: http-request set-header X-Forwarded-For %[src]"),
        new(CheckIds.WebSocketIdle, "Idle WebSocket", CheckStatus.Skip, "run with --long", null),
    ]);

    [Fact]
    public void ToText_OneLinePerResult_StartingWithItsStatus()
    {
        var lines = CheckReportFormatter.ToText(Report).Split('\n');

        var resultLines = lines.Where(line => line.Length > 4 && line[..4] is "PASS" or "WARN" or "FAIL" or "SKIP" && line.Contains("  ")).ToList();
        Assert.Equal(
        [
            ("PASS", CheckIds.HttpRedirect), ("WARN", CheckIds.TlsVersions), ("FAIL", CheckIds.ClientIpSpoofXff), ("SKIP", CheckIds.WebSocketIdle),
        ], resultLines.Select(line => (line[..4], line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])));
        Assert.Contains("upstream concluded client IP 6.6.6.6", resultLines[2]);
    }

    [Fact]
    public void ToText_FailuresAndWarnings_ListTheFixOneProxyPerLine()
    {
        var text = CheckReportFormatter.ToText(Report);

        Assert.Contains("How to fix:", text);
        Assert.Contains("\n    nginx: proxy_set_header X-Forwarded-For $remote_addr;\n", text);
        Assert.Contains("\n    HAProxy: http-request set-header X-Forwarded-For %[src]\n", text);
        Assert.Contains("\n    Caddy: tls { protocols tls1.3 }\n", text);
        Assert.EndsWith("4 checks: 1 pass, 1 warn, 1 fail, 1 skip.\n", text);
    }

    [Fact]
    public void ToJson_Parses_WithIdsStatusesAndFailure()
    {
        using var json = JsonDocument.Parse(CheckReportFormatter.ToJson(Report));

        var root = json.RootElement;
        Assert.True(root.GetProperty("has_failure").GetBoolean());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([CheckIds.HttpRedirect, CheckIds.TlsVersions, CheckIds.ClientIpSpoofXff, CheckIds.WebSocketIdle],
            results.Select(result => result.GetProperty("id").GetString()));
        Assert.Equal(["pass", "warn", "fail", "skip"], results.Select(result => result.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("fix").ValueKind);
        Assert.Contains("%[src]", results[2].GetProperty("fix").GetString());
    }

    [Fact]
    public void HasFailure_OnlyWarnAndSkip_IsFalse()
    {
        var report = new CheckReport(Report.Results.Where(result => result.Status != CheckStatus.Fail).ToList());

        Assert.False(report.HasFailure);
    }
}
