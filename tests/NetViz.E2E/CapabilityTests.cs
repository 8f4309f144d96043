using NetViz.Testing;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetViz.Core.Privileges;
using NetViz.E2E.Infrastructure;

namespace NetViz.E2E;

/// <summary>
/// After start NetViz keeps exactly SYS_ADMIN, SYS_PTRACE, NET_ADMIN and NET_RAW, in every thread, and with only
/// those it shows the same picture as with everything root has.
/// </summary>
public sealed class CapabilityTests
{
    // docs/security.md: CAP_NET_ADMIN (12), CAP_NET_RAW (13), CAP_SYS_PTRACE (19), CAP_SYS_ADMIN (21).
    private const ulong Documented = (1UL << 12) | (1UL << 13) | (1UL << 19) | (1UL << 21);

    private static CapabilitySets Of(string statusPath) => CapabilitySets.Parse(File.ReadAllText(statusPath));

    [Fact]
    public async Task The_running_app_holds_exactly_the_documented_capabilities_in_every_thread_and_sees_the_same_host()
    {
        Assert.Equal(Documented, LinuxCapabilities.Mask(LinuxCapabilities.Needed));
        // The test runs as root with more than that, so there is something to drop.
        Assert.NotEqual(0UL, Of("/proc/self/status").Bounding & ~Documented);

        await using var server = await PublishedNetVizServer.StartAsync();
        await server.WaitForLogAsync(new Regex(@"Privileges: kept only NET_ADMIN,NET_RAW,SYS_PTRACE,SYS_ADMIN"), TimeSpan.FromSeconds(30));

        var process = Of($"/proc/{server.ProcessId}/status");
        Assert.Equal((0UL, Documented, Documented, Documented, 0UL),
            (process.Inheritable, process.Permitted, process.Effective, process.Bounding, process.Ambient));
        var threads = Directory.GetDirectories($"/proc/{server.ProcessId}/task");
        Assert.True(threads.Length > 5, $"only {threads.Length} threads");
        foreach (var thread in threads)
        {
            var sets = Of(Path.Combine(thread, "status"));
            Assert.Equal((Documented, Documented, Documented), (sets.Permitted, sets.Effective, sets.Bounding));
        }

        // The same picture as a full-privilege collection (ids, sources), allowing for the host changing in between.
        using var client = server.CreateHttpClient();
        var attempts = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var app = Picture(await client.GetStringAsync("/api/topology"));
            var full = Picture(HostCommand.Run("dotnet", Path.Combine(server.PublishDirectory, "NetViz.Web.dll"), "snapshot", "--NetViz:DropCapabilities=false"));
            if (app == full)
            {
                Assert.Contains("\"nat\":true", app);
                return;
            }
            attempts.Add($"app:  {app[..Math.Min(400, app.Length)]}\nfull: {full[..Math.Min(400, full.Length)]}");
            await Task.Delay(1000);
        }
        Assert.Fail("The capability-trimmed app and a full-root snapshot differ:\n" + string.Join("\n", attempts));
    }

    [Fact]
    public async Task DropCapabilities_false_leaves_the_capabilities_as_started()
    {
        await using var server = await PublishedNetVizServer.StartAsync(new PublishedNetVizServer.Options(Arguments: ["--NetViz:DropCapabilities=false"]));
        await server.WaitForLogAsync(new Regex("Privileges: NetViz:DropCapabilities=false"), TimeSpan.FromSeconds(30));
        var mine = Of("/proc/self/status");
        var its = Of($"/proc/{server.ProcessId}/status");
        Assert.Equal((mine.Permitted, mine.Effective, mine.Bounding), (its.Permitted, its.Effective, its.Bounding));
    }

    /// <summary>What must not change with fewer capabilities: every node and edge id, and which sources could be read.</summary>
    private static string Picture(string snapshotJson)
    {
        using var doc = JsonDocument.Parse(snapshotJson);
        var root = doc.RootElement;
        var ids = root.GetProperty("nodes").EnumerateArray().Concat(root.GetProperty("edges").EnumerateArray())
            .Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal);
        var sources = root.GetProperty("sources");
        return $"{{\"docker\":{sources.GetProperty("docker").GetProperty("ok").GetBoolean().ToString().ToLowerInvariant()}," +
            $"\"netlink\":{sources.GetProperty("netlink").GetProperty("ok").GetBoolean().ToString().ToLowerInvariant()}," +
            $"\"nat\":{sources.GetProperty("nat").GetProperty("ok").GetBoolean().ToString().ToLowerInvariant()}}} " + string.Join(" ", ids);
    }
}
