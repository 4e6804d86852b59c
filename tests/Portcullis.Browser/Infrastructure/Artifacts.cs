namespace Portcullis.Browser.Infrastructure;

/// <summary>Where the browser tests keep what a person may want to look at: artifacts/browser/ at the repository root (ignored by git).</summary>
public static class Artifacts
{
    public static string Directory
    {
        get
        {
            var path = Path.Combine(RepositoryRoot(), "artifacts", "browser");
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portcullis.sln")))
            {
                return directory.FullName;
            }
        }

        // Built outside the repository: keep the artifacts next to the test assembly.
        return AppContext.BaseDirectory;
    }
}
