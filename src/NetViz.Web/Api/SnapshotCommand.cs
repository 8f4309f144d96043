namespace NetViz.Web.Api;

public static class SnapshotCommand
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
