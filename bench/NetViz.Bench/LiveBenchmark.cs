namespace NetViz.Bench;

public static class LiveBenchmark
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
