namespace NetViz.Testing;

/// <summary>Locations in the NetViz source tree that the end-to-end tests and the benchmarks build and run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest ancestor of the working directory, else of the binaries, holding NetViz.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The script run.sh also uses to publish the app only when its sources changed.</summary>
    public static string PublishScript => Path.Combine(Root, "scripts", "publish.sh");

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln")))
                    return dir.FullName;
        throw new InvalidOperationException($"No NetViz.sln above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}: run from inside the repository.");
    }
}
