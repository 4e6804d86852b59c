using Microsoft.AspNetCore.Http;

namespace Portcullis.Testing;

/// <summary>
/// What the upstream saw of one request: the facts the tests assert on, and the connection it
/// came on (Kestrel's connection id and the peer's port), so a test can tell a reused upstream
/// connection from a new one.
/// </summary>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    string Query,
    string Protocol,
    string PeerAddress,
    long BodyLength,
    Dictionary<string, string[]> Headers,
    string ConnectionId = "",
    int PeerPort = 0)
{
    public static ReceivedRequest From(HttpContext context, long bodyLength) => new(
        context.Request.Method,
        context.Request.Path.Value ?? "",
        context.Request.QueryString.Value ?? "",
        context.Request.Protocol,
        context.Connection.RemoteIpAddress?.ToString() ?? "",
        bodyLength,
        context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase),
        context.Connection.Id,
        context.Connection.RemotePort);

    /// <summary>Every value of a header, across repeated lines; empty when absent.</summary>
    public string[] All(string name) => Headers.TryGetValue(name, out var values) ? values : [];

    /// <summary>The header's one value, null when absent; a header that arrived more than once fails the test.</summary>
    public string? Single(string name) => All(name) switch
    {
        [] => null,
        [var one] => one,
        var many => throw new InvalidDataException($"header {name} arrived {many.Length} times: {string.Join(" | ", many)}"),
    };
}
