using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace NetViz.Bench;

/// <summary>
/// Where DockerEngineSource's time goes: each Engine API call it makes, timed alone over one reused client, and the
/// inspect fan-out at several concurrencies. Part of <c>collect --profile</c>.
/// </summary>
public static class DockerProfile
{
    public static async Task RunAsync(int iterations)
    {
        using var client = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var ids = (await client.Containers.ListContainersAsync(new ContainersListParameters { All = true })).Select(c => c.ID).ToList();
        Console.WriteLine($"  Docker Engine API calls ({ids.Count} containers listed with all=true):");
        await Report("GET /version", iterations, () => client.System.GetVersionAsync());
        await Report("GET /containers/json?all=1", iterations, () => client.Containers.ListContainersAsync(new ContainersListParameters { All = true }));
        await Report("GET /networks", iterations, () => client.Networks.ListNetworksAsync(new NetworksListParameters()));
        await Report("GET /containers/ID/json (one)", iterations, () => client.Containers.InspectContainerAsync(ids[0]));
        foreach (var concurrency in new[] { 1, 4, 8, 16, 32 })
        {
            await Report($"inspect all, {concurrency} at once", Math.Max(5, iterations / 4), async () =>
            {
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                    async (id, ct) => await client.Containers.InspectContainerAsync(id, ct));
                return 0;
            });
        }
    }

    private static async Task Report<T>(string what, int iterations, Func<Task<T>> call)
    {
        await call();
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Console.WriteLine($"    {what,-32} {Stats.Of(samples)}");
    }
}
