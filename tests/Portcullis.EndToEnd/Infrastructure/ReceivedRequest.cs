using Microsoft.AspNetCore.Http;

namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>What the upstream saw of one request: the facts the tests assert on.</summary>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    string Query,
    string Protocol,
    string PeerAddress,
    long BodyLength,
    Dictionary<string, string[]> Headers)
{
    public static ReceivedRequest From(HttpContext context, long bodyLength) => new(
        context.Request.Method,
        context.Request.Path.Value ?? "",
        context.Request.QueryString.Value ?? "",
        context.Request.Protocol,
        context.Connection.RemoteIpAddress?.ToString() ?? "",
        bodyLength,
        context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase));

    /// <summary>Every value of a header, across repeated lines; empty when absent.</summary>
    public string[] All(string name) => Headers.TryGetValue(name, out var values) ? values : [];

    public string? Single(string name) => All(name) switch
    {
        [] => null,
        [var one] => one,
        var many => throw new Xunit.Sdk.XunitException($"header {name} arrived {many.Length} times: {string.Join(" | ", many)}"),
    };
}
