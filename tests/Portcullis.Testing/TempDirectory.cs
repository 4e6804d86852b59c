using System.Collections.Concurrent;

namespace Portcullis.Testing;

/// <summary>
/// A directory of its own for one test under the system's temp directory. Disposing it removes it;
/// <see cref="Create"/> is for a directory that outlives one object (a test that restarts Portcullis
/// on it): it is removed when the test process exits.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private const string Prefix = "portcullis-tests-";

    private static readonly ConcurrentQueue<string> Kept = new();
    private static int _cleanupRegistered;

    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory(Prefix).FullName;
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> inside the directory (nothing is created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file into the directory and returns its full path.</summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A new directory, returned as its path, removed when the test process exits.</summary>
    public static string Create()
    {
        var path = Directory.CreateTempSubdirectory(Prefix).FullName;
        Kept.Enqueue(path);
        if (Interlocked.Exchange(ref _cleanupRegistered, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                while (Kept.TryDequeue(out var kept))
                {
                    Delete(kept);
                }
            };
        }

        return path;
    }

    public void Dispose() => Delete(Path);

    private static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover directory under /tmp is harmless; a test must not fail on its cleanup.
        }
    }
}
