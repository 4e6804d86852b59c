using Portcullis.Proxy.Configuration;

namespace Portcullis.Commands;

/// <summary>Prints configuration errors the way compilers do: one per line, file:line first.</summary>
internal static class ConfigErrorsPrinter
{
    public static void Print(TextWriter output, ConfigException exception)
    {
        foreach (var error in exception.Errors)
        {
            output.WriteLine($"error: {error}");
        }

        output.WriteLine($"{exception.Errors.Count} error(s).");
    }
}
