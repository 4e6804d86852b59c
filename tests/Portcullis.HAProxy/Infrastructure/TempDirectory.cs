namespace Portcullis.HAProxy.Infrastructure;

/// <summary>A directory of its own for one test (Portcullis's data_dir), removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("portcullis-haproxy-site-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
