namespace NetViz.E2E.Infrastructure;

/// <summary>Locations in the NetViz source tree the end-to-end tests build and run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest ancestor of the test binaries holding NetViz.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The script run.sh also uses to publish the app only when its sources changed.</summary>
    public static string PublishScript => Path.Combine(Root, "scripts", "publish.sh");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No NetViz.sln above {AppContext.BaseDirectory}.");
    }
}
