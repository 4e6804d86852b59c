using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portcullis.Check;

/// <summary>Renders a <see cref="CheckReport"/> for people (text) and for machines (JSON).</summary>
public static class CheckReportFormatter
{
    /// <summary>
    /// One line per requirement, <c>STATUS  id  requirement: detail</c>; then, for every FAIL and
    /// WARN, the fix, one proxy per indented line; then a count.
    /// </summary>
    public static string ToText(CheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var width = report.Results.Count == 0 ? 0 : report.Results.Max(result => result.Id.Length);
        var text = new StringBuilder();
        foreach (var result in report.Results)
        {
            text.Append(Label(result.Status).PadRight(6))
                .Append(result.Id.PadRight(width + 2))
                .Append(result.Requirement).Append(": ")
                .Append(OneLine(result.Detail)).Append('\n');
        }

        var toFix = report.Results.Where(result => result.Fix is not null && result.Status is CheckStatus.Fail or CheckStatus.Warn).ToList();
        if (toFix.Count > 0)
        {
            text.Append('\n').Append("How to fix:").Append('\n');
            foreach (var result in toFix)
            {
                text.Append(Label(result.Status)).Append(' ').Append(result.Id).Append(':').Append('\n');
                foreach (var part in result.Fix!.Split(" | "))
                {
                    text.Append("    ").Append(OneLine(part)).Append('\n');
                }
            }
        }

        text.Append('\n').Append(report.Results.Count).Append(" checks: ")
            .Append(Count(report, CheckStatus.Pass)).Append(" pass, ")
            .Append(Count(report, CheckStatus.Warn)).Append(" warn, ")
            .Append(Count(report, CheckStatus.Fail)).Append(" fail, ")
            .Append(Count(report, CheckStatus.Skip)).Append(" skip.").Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// <c>{"has_failure": bool, "results": [{"id", "requirement", "status": "pass|warn|fail|skip", "detail", "fix"}]}</c>.
    /// </summary>
    public static string ToJson(CheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("has_failure", report.HasFailure);
            json.WriteStartArray("results");
            foreach (var result in report.Results)
            {
                json.WriteStartObject();
                json.WriteString("id", result.Id);
                json.WriteString("requirement", result.Requirement);
                json.WriteString("status", Label(result.Status).ToLowerInvariant());
                json.WriteString("detail", result.Detail);
                if (result.Fix is null)
                {
                    json.WriteNull("fix");
                }
                else
                {
                    json.WriteString("fix", result.Fix);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Label(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "PASS",
        CheckStatus.Warn => "WARN",
        CheckStatus.Fail => "FAIL",
        _ => "SKIP",
    };

    private static int Count(CheckReport report, CheckStatus status) => report.Results.Count(result => result.Status == status);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
