using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portcullis.EndToEnd.Forwarding;

namespace Portcullis.EndToEnd.Admin;

/// <summary>
/// deploy/grafana/portcullis.json queries only names /metrics really exports, and every family of
/// Portcullis's own: a renamed instrument breaks this test, not an operator's dashboard.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed partial class GrafanaDashboardTests
{
    // Every exported family starts with one of these (Portcullis, Kestrel, ASP.NET Core and
    // HttpClient, the runtime); in PromQL nothing else does.
    [GeneratedRegex(@"\b(?:portcullis|kestrel|http|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [Fact]
    public async Task Dashboard_EveryQueriedMetric_IsExportedAndEveryPortcullisFamilyIsShown()
    {
        var queried = Queries(JsonDocument.Parse(await File.ReadAllTextAsync(DashboardPath())).RootElement)
            .SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        var exported = await ScrapeEverythingAsync();

        Assert.NotEmpty(queried);
        Assert.Empty(queried.Where(name => !exported.Contains(name)).Order());
        var families = exported.Where(name => name.StartsWith("portcullis_", StringComparison.Ordinal))
            .Select(name => Regex.Replace(name, "_(bucket|sum|count)$", "")).ToHashSet();
        Assert.Empty(families.Where(family => !queried.Any(q => q.StartsWith(family, StringComparison.Ordinal))).Order());
    }

    /// <summary>A Portcullis that has done one of everything a series needs to exist.</summary>
    private static async Task<IReadOnlySet<string>> ScrapeEverythingAsync()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var gone = await TestUpstream.StartAsync();
        var refused = gone.Url;
        await gone.DisposeAsync();
        var sites = $"""
            sites:
              - hosts: [localhost]
                routes:
                  - path: /
                    upstream: {upstream.Url}
                  - path: /dead
                    upstream: {refused}
            """;
        await using var admin = await AdminInstance.StartAsync(sites);
        using var client = admin.Proxy.CreateClient();
        using (var ok = await client.GetAsync(admin.Proxy.Https("localhost", "/ok")))
        using (var bad = await client.PostAsync(admin.Proxy.Https("localhost", "/dead/x"), new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
        }

        Assert.Empty(await admin.RewriteAsync(sites + "\n    hsts: \"max-age=60\"\n"));
        using var socket = await WebSocketTests.ConnectAsync(admin.Proxy, HttpVersion.Version11);
        Assert.Equal("hello", await WebSocketTests.EchoAsync(socket, "hello"));
        var names = (await admin.ScrapeAsync()).Names;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return names;
    }

    private static IEnumerable<string> Queries(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "query" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var query in Queries(property.Value))
                        {
                            yield return query;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var query in Queries(item))
                    {
                        yield return query;
                    }
                }

                break;
        }
    }

    private static string DashboardPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portcullis.sln")))
            {
                return Path.Combine(directory.FullName, "deploy", "grafana", "portcullis.json");
            }
        }

        throw new InvalidOperationException("Portcullis.sln not found above " + AppContext.BaseDirectory);
    }
}
