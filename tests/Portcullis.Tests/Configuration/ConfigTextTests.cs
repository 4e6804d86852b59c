using System.Collections;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

/// <summary>
/// What the configuration tests share: one minimal site, a temporary directory that relative paths
/// resolve against, and loading a text with PORTCULLIS_* variables as the environment.
/// </summary>
public abstract class ConfigTextTests : IDisposable
{
    protected const string FileName = "portcullis.yaml";

    /// <summary>One valid site in five lines; error cases put their mistake before or after it.</summary>
    protected const string Site = """
        sites:
          - hosts: [sso.example.com]
            routes:
              - path: /
                upstream: https://authentik:9443

        """;

    /// <summary>The config file's directory: certificates and other files a test needs go here.</summary>
    protected TempDirectory Temp { get; } = new();

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected ProxyConfig Load(string yaml, params (string Name, string Value)[] variables) =>
        ConfigLoader.LoadText(yaml, FileName, Temp.Path, Environment(variables));

    protected List<ConfigError> Errors(string yaml, params (string Name, string Value)[] variables) =>
        Assert.Throws<ConfigException>(() => Load(yaml, variables)).Errors.ToList();

    private static Hashtable Environment((string Name, string Value)[] variables)
    {
        var environment = new Hashtable();
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }
}
