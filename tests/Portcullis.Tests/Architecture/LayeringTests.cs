using System.Text.RegularExpressions;

namespace Portcullis.Tests.Architecture;

/// <summary>
/// The folders of src/Portcullis.Proxy are layers, and a layer may only use the ones below it
/// (docs/architecture.md, "Layers"). Each folder is one namespace, so a use shows in the source as
/// a using directive or a namespace-qualified name; this reads both.
/// </summary>
public partial class LayeringTests
{
    // Lowest first. Folders on one line are siblings: neither may use the other.
    private static readonly string[][] Layers =
    [
        ["Utilities"],
        ["Configuration"],
        ["Tls"],
        ["Health"],
        ["Model"],
        ["Sites", "Logging"],
        ["Forwarding"],
        ["Auth"],
        ["Admin"],
        ["Hosting"],
    ];

    [Fact]
    public void ProxyFolders_UseOnlyLowerLayers()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Portcullis.Proxy");
        var rank = Layers.SelectMany((folders, level) => folders.Select(folder => (folder, level))).ToDictionary(x => x.folder, x => x.level);
        var types = QualifiedTypeNames(source);
        var violations = new List<string>();
        foreach (var directory in Directory.GetDirectories(source).Where(d => !Path.GetFileName(d).StartsWith("bin") && !Path.GetFileName(d).StartsWith("obj")))
        {
            var folder = Path.GetFileName(directory);
            Assert.True(rank.ContainsKey(folder), $"src/Portcullis.Proxy/{folder} has no place in LayeringTests.Layers: give it one.");
            foreach (var file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (var used in FoldersUsed(text, types))
                {
                    if (used != folder && rank.TryGetValue(used, out var level) && level >= rank[folder])
                    {
                        violations.Add($"{Path.GetRelativePath(source, file)} uses {used}/");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void FoldersUsed_FindsUsingsQualifiedNamesAndCrefs()
    {
        const string text = """
            using Portcullis.Proxy.Hosting;
            var x = new Portcullis.Proxy.Forwarding.OutboundRequest();
            /// <see cref="Sites.ProxyResponses"/>
            var y = Tls.Acme.AcmeDirectories.LetsEncryptProduction;
            var z = Sites.Sites.Count + (int)SslProtocols.Tls13;
            """;

        // "Tls.Acme.AcmeDirectories" names a type of Tls/Acme/ from inside Portcullis.Proxy, no using
        // needed; "Sites.Sites" is a property, as no Sites/Sites.cs says.
        Assert.Equal(["Hosting", "Forwarding", "Sites", "Tls"], FoldersUsed(text, new HashSet<string> { "Tls.Acme.AcmeDirectories", "Sites.ProxyResponses" }));
    }

    /// <summary>The folders a source file uses: by using, fully qualified name, cref, or a name qualified from inside Portcullis.Proxy.</summary>
    private static IEnumerable<string> FoldersUsed(string text, IReadOnlySet<string> types) =>
        Uses().Matches(text).Select(m => m.Groups["folder"].Value)
            .Concat(QualifiedNames().Matches(text).Select(m => m.Groups["name"].Value)
                .Where(name => types.Any(type => name == type || name.StartsWith(type + ".", StringComparison.Ordinal)))
                .Select(name => name[..name.IndexOf('.')]))
            .Distinct();

    /// <summary>"Folder.Sub.Type" for every file of Portcullis.Proxy: one type per file, named as the file.</summary>
    private static HashSet<string> QualifiedTypeNames(string source) =>
        Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(source, file))
            .Where(path => !path.StartsWith("bin", StringComparison.Ordinal) && !path.StartsWith("obj", StringComparison.Ordinal))
            .Select(path => Path.ChangeExtension(path, null).Replace(Path.DirectorySeparatorChar, '.'))
            .ToHashSet();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portcullis.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Portcullis.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?:Portcullis\.Proxy\.|cref=""(?:Portcullis\.Proxy\.)?)(?<folder>[A-Z]\w*)")]
    private static partial Regex Uses();

    [GeneratedRegex(@"(?<![\w.])(?<name>[A-Z]\w*(?:\.[A-Z]\w*)+)")]
    private static partial Regex QualifiedNames();
}
