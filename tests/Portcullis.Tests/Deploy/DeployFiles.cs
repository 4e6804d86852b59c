using YamlDotNet.RepresentationModel;

namespace Portcullis.Tests.Deploy;

/// <summary>
/// Reads the files under deploy/ from the repository the tests were built from, as YAML trees,
/// without Kubernetes or Compose: the tests compare what the manifests say with the Portcullis
/// configuration they carry.
/// </summary>
internal static class DeployFiles
{
    public static string Path(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Portcullis.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"no Portcullis.sln above {AppContext.BaseDirectory}");
        return System.IO.Path.Combine([directory!.FullName, "deploy", .. parts]);
    }

    public static YamlMappingNode Load(params string[] parts)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path(parts)))
        {
            stream.Load(reader);
        }

        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    public static YamlNode At(this YamlNode node, params string[] keys)
    {
        var current = node;
        foreach (var key in keys)
        {
            var mapping = Assert.IsType<YamlMappingNode>(current);
            Assert.True(mapping.Children.TryGetValue(new YamlScalarNode(key), out var next), $"no key '{key}' at line {mapping.Start.Line}");
            current = next!;
        }

        return current;
    }

    public static YamlNode? Find(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string Text(this YamlNode node, params string[] keys) => Assert.IsType<YamlScalarNode>(node.At(keys)).Value!;

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, params string[] keys) =>
        Assert.IsType<YamlSequenceNode>(node.At(keys)).Children.ToList();

    /// <summary>The port of a listen address such as 0.0.0.0:8080 or [::]:8443.</summary>
    public static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..]);
}
