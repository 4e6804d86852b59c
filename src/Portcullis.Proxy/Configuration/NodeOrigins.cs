using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// Tells where a YAML node came from. Nodes parsed from a file carry their own line; nodes made
/// from an environment variable or a command-line flag are registered here with that name.
/// </summary>
public sealed class NodeOrigins(string fileName)
{
    private readonly Dictionary<YamlNode, string> _synthetic = new(ReferenceEqualityComparer.Instance);

    public string FileName { get; } = fileName;

    public void Register(YamlNode node, string origin)
    {
        _synthetic[node] = origin;
        if (node is YamlSequenceNode sequence)
        {
            foreach (var child in sequence.Children)
            {
                Register(child, origin);
            }
        }
    }

    public ConfigLocation Locate(YamlNode node) =>
        _synthetic.TryGetValue(node, out var origin)
            ? new ConfigLocation(origin, 0, 0)
            : new ConfigLocation(FileName, (int)node.Start.Line, (int)node.Start.Column);
}
