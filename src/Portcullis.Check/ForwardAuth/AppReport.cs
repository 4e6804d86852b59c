using System.Text.Json;

namespace Portcullis.Check.ForwardAuth;

/// <summary>
/// What the emulator's protected app (<c>{web}api/v3/emulator/app/</c>, run by
/// <c>portcullis emulate</c>) says a request reached it with; null from any other app.
/// </summary>
internal sealed class AppReport
{
    private AppReport(string? user, string? sessionUser, IReadOnlyList<(string Name, string Value, string From)> headers, IReadOnlyList<string> missing)
    {
        User = user;
        SessionUser = sessionUser;
        IdentityHeaders = headers;
        MissingHeaders = missing;
    }

    /// <summary>The outpost-issued X-Authentik-Username, when it arrived alone.</summary>
    public string? User { get; }

    /// <summary>The user of the outpost session named by the request's cookie.</summary>
    public string? SessionUser { get; }

    /// <summary>Every X-authentik-* line that arrived; From is "outpost" or "client".</summary>
    public IReadOnlyList<(string Name, string Value, string From)> IdentityHeaders { get; }

    /// <summary>Identity headers the outpost issued for the session that did not arrive.</summary>
    public IReadOnlyList<string> MissingHeaders { get; }

    public static AppReport? Parse(ProbeResponse response)
    {
        if (!response.IsServed)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("identity_headers", out var headers) || headers.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("application", out _))
            {
                return null;
            }

            var list = headers.EnumerateArray()
                .Select(header => (header.GetProperty("name").GetString() ?? "", header.GetProperty("value").GetString() ?? "", header.GetProperty("from").GetString() ?? ""))
                .ToList();
            var missing = root.TryGetProperty("missing_headers", out var names) && names.ValueKind == JsonValueKind.Array
                ? names.EnumerateArray().Select(name => name.GetString() ?? "").ToList()
                : [];
            return new AppReport(Text(root, "user"), Text(root, "session_user"), list, missing);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The identity header lines whose value is <paramref name="value"/>, as "Name: value".</summary>
    public IReadOnlyList<string> LinesWith(string value) =>
        IdentityHeaders.Where(header => header.Value.Contains(value, StringComparison.Ordinal)).Select(header => $"{header.Name}: {header.Value}").ToList();

    public string DescribeHeaders() =>
        IdentityHeaders.Count == 0 ? "no X-authentik-* header" : string.Join("; ", IdentityHeaders.Select(header => $"{header.Name}: {Short(header.Value)} ({header.From})"));

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
