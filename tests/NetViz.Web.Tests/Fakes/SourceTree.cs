namespace NetViz.Web.Tests.Fakes;

/// <summary>Files of the repository under test, for tests that compare C# with the graph module's own source.</summary>
public static class SourceTree
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetViz.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The text of src/NetViz.Web/Scripts/<paramref name="name"/>.</summary>
    public static string Script(string name) => File.ReadAllText(Path.Combine(Root, "src", "NetViz.Web", "Scripts", name));
}
