namespace Chat.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root: the folder that holds Cluster.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Cluster.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>Where tests leave files worth looking at (screenshots, logs): artifacts/test-results.</summary>
    public static string Artifacts
    {
        get
        {
            var dir = Path.Combine(Root, "artifacts", "test-results");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
