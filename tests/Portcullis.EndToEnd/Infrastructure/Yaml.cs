namespace Portcullis.EndToEnd.Infrastructure;

/// <summary>Small YAML fragments the tests share.</summary>
public static class Yaml
{
    /// <summary>One site for "localhost" (and any extra hosts) with one route to the upstream.</summary>
    public static string Site(Uri upstream, string hosts = "localhost", string siteExtra = "", string routeExtra = "", string path = "/") => $"""
        sites:
          - hosts: [{hosts}]
        {Indent(siteExtra, 4)}
            routes:
              - path: {path}
                upstream: {upstream}
        {Indent(routeExtra, 8)}
        """;

    public static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));
}
