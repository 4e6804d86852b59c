using System.Collections;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

/// <summary>
/// Inputs on which fuzz/run.sh found ConfigLoader throwing something other than ConfigException
/// (see fuzz/README.md). Each must now be a ConfigException naming the key.
/// </summary>
public sealed class ConfigLoaderFuzzRegressionTests : IDisposable
{
    private const string Site = """
        sites:
          - hosts: [sso.domain.tld]
            routes:
              - path: /
                upstream: http://authentik:9000

        """;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // Path.GetFullPath threw ArgumentException ("Null character in path") for a NUL in any path value.
    [Theory]
    [InlineData("data_dir: \"/var/lib/\\0portcullis\"\n" + Site, "data_dir")]
    [InlineData("log:\n  access: \"a\\0b\"\n" + Site, "log.access")]
    [InlineData("""
        sites:
          - hosts: [sso.domain.tld]
            tls:
              certificate: "\0"
              key: key.pem
            routes:
              - path: /
                upstream: http://authentik:9000
        """, "sites[0].tls.certificate")]
    [InlineData("""
        sites:
          - hosts: [sso.domain.tld]
            routes:
              - path: /
                upstream: https://authentik:9443
                upstream_tls:
                  ca: "ca\0.pem"
        """, "sites[0].routes[0].upstream_tls.ca")]
    public void LoadText_NulInPath_ReportsConfigError(string yaml, string key)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path));

        Assert.Contains(exception.Errors, e => e.Key == key && e.Message == "a path cannot contain a NUL character.");
    }

    // YamlDotNet's loader threw ArgumentException ("The current event is of an unsupported type")
    // for a NUL where a key starts; libFuzzer's input (crash-90423a45…) had NULs before "listen:"'s keys.
    // NULs and other controls YAML forbids are now refused before the parser sees them.
    [Theory]
    [InlineData("\0: x\n")]
    [InlineData("listen:\n\0: x\n")]
    [InlineData("listen:\n\0\0\0:\0\0  http: [a]\n")]
    public void LoadText_NulInYaml_ReportsSyntaxError(string yaml)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path));

        Assert.Contains(exception.Errors, e => e.Key == "(syntax)");
    }

    // libFuzzer's timeout-c88d7191… (1 KiB, NULs among '%' directive lines): YamlDotNet's scanner,
    // which takes a NUL for the end of its buffer, never returned. Run on a task so that a
    // regression fails the test instead of hanging the run.
    [Fact]
    public async Task LoadText_NulsThatHungTheScanner_ReportsControlCharacterAtOnce()
    {
        var yaml = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(HungScannerInput));
        var load = Task.Run(() => Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path)));

        var exception = await load.WaitAsync(TimeSpan.FromSeconds(30)); // TimeoutException if it hangs again
        var error = Assert.Single(exception.Errors);
        Assert.Equal("(syntax)", error.Key);
        Assert.Contains("U+000B", error.Message);   // the vertical tab in "sisn:\v", before the first NUL
        Assert.Equal((1, 6), (error.Location.Line, error.Location.Column));
    }

    [Theory]
    [InlineData("sites: []\u0001\n", 1, 10, "U+0001")]
    [InlineData("a: b\n\u007f: c\n", 2, 1, "U+007F")]
    [InlineData("a: \"\u0085\t\"\r\nb: \uFFFF\n", 2, 4, "U+FFFF")]
    public void LoadText_ControlCharacter_ReportsItsPosition(string yaml, int line, int column, string character)
    {
        var error = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path)).Errors);

        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
        Assert.Contains(character, error.Message);
    }

    private const string HungScannerInput = "c2lzbjoLICAtIDoKJWxpc3QAoSA9LSA6CiVsAAAAAAAAA8gE//8AAAAAAAAAAAAAAAAAAAAAANEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALSA6CiVsaXN0AKEgLSA6CiVsaXN0ZXM1AAAEAAAAAAAAAAAAAAAAAAAAAADRAAAAAAAAAAAAoSAtIDpsCiVpc3RlczAAAAAAaSBbcwAAAGluOgsgIC0gOgolbGlzdAChIC0gOgolbGlzdGVzMAAAAAAAAABkAAAAIDoKJWxpc3RlczYAAAQAAAAAAAAACAAAAAAAAAAAANEAAAAAAAAAAAChIC0gOiwlbGkAAAAA0QAAAAAAAAAAAKEgLSA6CiVsaXN0ZXMwAAAAAGkgW3MAAABpbjoLICAtIDoKJWxpcwAAAAChIC0gOmwKJWlzdGVzMAAAAABpIFtzAAAAaW46CyAgLSA6CiVsaXN0AKEgLSA6CiVsaXN0ZXMwAAAAAAAAoSAtIDoKJWxpc3RlczAAAAAAaSBbcwAAAGluOgsgIC0gOgolbGlzAAAAAKEgLSA6bAolaXN0ZXMwAAAAAGkgW3MAAABpbnw6CyAgLSA6CiVsaXN0CQChIC0AAGQAAAAgOgolbGlzAAAAAAChIC0gOgolbGlzdGVzMAAAAABpIFtzAAAAaW46CzgDAAAAAAAAICAtIDoKJWxpcwAhAAAAAAAAAAAAAKEgLSA6bAolaXN0ZXMwAAAAAGkgW3MAAABpbnw6CyAgLSA6CiVsaXN0CQChIC0AAGQAAAAgOgolbGlzdGVzNQBuMC4wMDAiOiwuOCAiW7o6dDosLjggIlu6OnR0cDogIFsiMDAwIjpz//8gInNpul06dHA6ICBbIjAuIC4wMDAibjAuMDAwIjosLjggIlu6OnQ6ICBbIjBuMC4wMDAiOiwuOCAiW7o6dDpsLjggIlu6OnRkcDogIFsiMS4gLjAwMCI6c///ICJzabpdOnRwOiAgWyIwLiAuMDAwIm4wLjAwMCI6LC44ICJbujp0OiwuOCAiW7o6dHRwOiAgWyIwLiAuMDAwIjpz//8gInNpul06dHA6ICBbIjAuIC4wMDAiOnP//yAic7ppMC4gLjAwMCI6c///ICJzabpdOnRwOiAgW106OnP//yAic7ppMC4gLjAwMCI6c///IAEAabpdOnRwOiAgW106XTo0MCIsLjggIlu6OnR0cDogIFsiMC4gLjAwMCI6c///ICJzabpdOnRwOiAgWyIwLiAuMDAwIjpz//8gInO6aTAuIC4wMDAiOnP//yAic2m6XTp0cDogIFtdOjpz//8gInO6aTAABAAAAAAAdGVzNQAABAAAAAAAAAAIAAAAAA==";

    // Stack overflows in YamlDotNet's representation model, which end the process (no catch can
    // report them): a collection key holding an alias to itself (libFuzzer's crash-807b4c62…, which
    // also holds NULs and so is now refused for those first; "? &a [*a]" is its NUL-free core), and,
    // found next to it by hand, brackets nested 50,000 deep.
    [Theory]
    [InlineData("lis.en: { http: [\"074.0.0.1:8080\"]l: , https: [\"127.0.0.1:8443\"], !!!!!!!!\0\0&a [*a]\u0010\0\0\0\0\0!!!! ", "U+0000")]
    [InlineData("? &a [*a]\n: x\n", "mapping key")]
    [InlineData("sites: &a [*a]\n", "inside the node it refers to")]
    [InlineData("listen: &l { http: *l }\n", "inside the node it refers to")]
    [InlineData("? [a]\n: x\n", "mapping key")]
    public void LoadText_RecursiveOrComplexYaml_ReportsSyntaxError(string yaml, string message)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal("(syntax)", error.Key);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(50_000)]
    public void LoadText_NestedTooDeep_ReportsSyntaxError(int depth)
    {
        var yaml = "a: " + new string('[', depth) + new string(']', depth) + "\n";

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path));

        Assert.Contains("nested more than 64 levels", Assert.Single(exception.Errors).Message);
    }

    // An alias to a finished node is still fine: anchors are a YAML user's way to repeat settings.
    [Fact]
    public void LoadText_AliasToEarlierNode_Loads()
    {
        var yaml = """
            tls_defaults: &tls { verify: false }
            sites:
              - hosts: [sso.domain.tld]
                routes:
                  - { path: /, upstream: "https://authentik:9443", upstream_tls: *tls }
                  - { path: /b, upstream: "https://authentik:9444", upstream_tls: *tls }
            """;

        var exception = Record.Exception(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path));

        // tls_defaults is an unknown key (reported), but the aliases themselves load.
        var errors = Assert.IsType<ConfigException>(exception).Errors;
        Assert.All(errors, e => Assert.Equal("tls_defaults", e.Key));
    }

    // Two routes without a path: key both mean "/"; the "routed twice" error pointed at the missing
    // path node and NodeOrigins.Locate threw ArgumentNullException. libFuzzer's input
    // (crash-524c5f59…) got there with a mangled "path:" key and a second route from the environment.
    [Theory]
    [InlineData("""
        sites:
          - hosts: [sso.domain.tld]
            routes:
              - upstream: http://authentik:9000
              - upstream: http://authentik:9001
        """, null, null)]
    [InlineData("""
        sites:
          - hosts: [sso.domain.tld]
            routes:
              - patM-h: /
                upstream: http://authentik:9000
        """, "PORTCULLIS_SITES__0__ROUTES__1__UPSTREAM", "https://authentik:9443")]
    public void LoadText_TwoRoutesWithoutPath_ReportsRoutedTwice(string yaml, string? name, string? value)
    {
        var environment = name is null ? null : new Hashtable { [name] = value };

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(yaml, "fuzz.yaml", _directory.Path, environment));

        Assert.Contains(exception.Errors, e => e.Key == "sites[0].routes[1].path" && e.Message.Contains("routed twice"));
    }

    // The input libFuzzer saved (crash-98521a4a…): the seed env-overrides.yaml with NULs mutated
    // into PORTCULLIS_DATA_DIR.
    [Theory]
    [InlineData("PORTCULLIS_DATA_DIR", "/v\0\0\u0010\0\0\0\0\0ortcullis")]
    [InlineData("PORTCULLIS_LOG__ACCESS", "\0")]
    public void LoadText_NulInPathFromEnvironment_ReportsConfigError(string name, string value)
    {
        var environment = new Hashtable { [name] = value, ["PORTCULLIS_TRUSTED_PROXIES"] = "10.0.0.0/8,fd00::/8" };

        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadText(Site, "fuzz.yaml", _directory.Path, environment));

        Assert.Contains(exception.Errors, e => e.Message == "a path cannot contain a NUL character.");
    }
}
