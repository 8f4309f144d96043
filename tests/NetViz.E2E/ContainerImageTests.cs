using System.Diagnostics;
using System.Text.Json;
using NetViz.Core.Privileges;
using NetViz.E2E.Infrastructure;
using NetViz.Testing;

namespace NetViz.E2E;

/// <summary>
/// The Dockerfile, built (scripts/build-image.sh: local base images, no registry) and run with README.md's
/// "Container image" options, shows the host as `./run.sh snapshot` on the host does: the same nodes and edges.
/// Prefix nvimg: the container nvimg-netviz, the namespaces nvimg-before (veths nvimg-a/b and a NAT rule inside) and
/// nvimg-after, all removed at the end and swept at the start.
/// </summary>
public sealed class ContainerImageTests
{
    private const string Container = "nvimg-netviz";
    private const string Label = "netviz.test=nvimg";
    private const string Before = "nvimg-before";
    private const string After = "nvimg-after";
    private const int Port = 5303;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // README.md: --cap-drop ALL plus DAC_READ_SEARCH (2), NET_ADMIN (12), NET_RAW (13), SYS_PTRACE (19), SYS_ADMIN (21).
    private const ulong ReadmeBounding = (1UL << 2) | (1UL << 12) | (1UL << 13) | (1UL << 19) | (1UL << 21);

    [Fact]
    public async Task The_image_run_as_the_readme_says_shows_what_run_sh_snapshot_shows_on_the_host()
    {
        var image = HostCommand.Run(Path.Combine(RepositoryPaths.Root, "scripts", "build-image.sh"));
        Sweep();
        try
        {
            // A namespace with a NAT rule of its own: the image must read rules inside other namespaces too (NetViz
            // enters only namespaces with more than loopback: a veth pair, both ends inside).
            HostCommand.Run("ip", "netns", "add", Before);
            HostCommand.Run("ip", "netns", "exec", Before, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "nvimg-a",
                "-m", "comment", "--comment", "nvimg", "-j", "MASQUERADE");
            HostCommand.Run("ip", "-n", Before, "link", "add", "nvimg-a", "type", "veth", "peer", "name", "nvimg-b");
            HostCommand.Run("docker", [.. RunArguments(), image, "--urls", $"http://127.0.0.1:{Port}"]);

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = Patience };
            await WaitUntilServingAsync(client);

            // It runs as the image's user, bounded by the capabilities README.md adds, and nothing more.
            var pid = HostCommand.Run("docker", "inspect", "-f", "{{.State.Pid}}", Container);
            var status = File.ReadAllText($"/proc/{pid}/status");
            Assert.Matches(@"(?m)^Uid:\s+10001\s", status);
            Assert.Equal(ReadmeBounding, CapabilitySets.Parse(status).Bounding);

            // A namespace added after the start reaches the container through the rslave mount of /var/run/netns.
            HostCommand.Run("ip", "netns", "add", After);
            var afterId = "netns:" + HostCommand.Run("stat", "-L", "-c", "%i", $"/var/run/netns/{After}");
            await WaitForNodeAsync(client, afterId);

            // The host may change between the reads: accept only a host snapshot taken while the container's view
            // stayed the same before and after it.
            var attempts = new List<string>();
            for (var attempt = 0; attempt < 6; attempt++)
            {
                var before = Picture.Of(await client.GetStringAsync("/api/topology"));
                var host = Picture.Of(RunSnapshot());
                var after = Picture.Of(await client.GetStringAsync("/api/topology"));
                if (!before.Equals(after))
                {
                    attempts.Add($"attempt {attempt}: the host changed meanwhile ({before.Difference(after)})");
                    await Task.Delay(1000);
                    continue;
                }
                Assert.True(host.Equals(after), $"the container and ./run.sh snapshot differ: {host.Difference(after)}\n" +
                    string.Join("\n", attempts));
                Assert.True(after.Has(afterId), $"{afterId} ({After}) is gone");
                // docs/api.md: a rule of another namespace's rule set is nat:<table>:<chain>:<hash>@<netns inode>.
                var beforeInode = HostCommand.Run("stat", "-L", "-c", "%i", $"/var/run/netns/{Before}");
                Assert.Contains(after.Elements, e => e.StartsWith("nat:nat:POSTROUTING:", StringComparison.Ordinal) &&
                    e.Contains($"@{beforeInode} |", StringComparison.Ordinal));
                return;
            }
            Assert.Fail("the host never stood still for a comparison:\n" + string.Join("\n", attempts));
        }
        catch (Exception e) when (ContainerLog() is { } log)
        {
            // The container's log explains most failures: it goes with the message.
            throw new InvalidOperationException($"{e.Message}\n--- docker logs --tail 40 {Container} ---\n{log}", e);
        }
        finally
        {
            Sweep();
        }
    }

    /// <summary>README.md, "Container image", word for word; the docker/netns mount only where Docker accepts it.</summary>
    private static List<string> RunArguments()
    {
        var arguments = new List<string>
        {
            "run", "-d", "--name", Container, "--label", Label,
            "--pid=host", "--network=host",
            "--cap-drop", "ALL", "--cap-add", "SYS_ADMIN", "--cap-add", "SYS_PTRACE", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW",
            "--cap-add", "DAC_READ_SEARCH",
            "--group-add", HostCommand.Run("stat", "-c", "%g", "/var/run/docker.sock"),
            "--security-opt", "apparmor=unconfined",
            "-v", "/var/run/docker.sock:/var/run/docker.sock:ro",
            // ip netns add (above) made /var/run/netns a shared mount, as README.md says it does.
            "--mount", "type=bind,source=/var/run/netns,target=/var/run/netns,readonly,bind-propagation=rslave",
        };
        // README.md: rslave needs the host mount holding the folder to be shared or slave (so under systemd);
        // elsewhere leave the mount out, every running container's namespace is reachable through its processes.
        var propagation = HostCommand.Run("findmnt", "-n", "-o", "PROPAGATION", "-T", "/var/run/docker/netns");
        if (propagation.Contains("shared", StringComparison.Ordinal) || propagation.Contains("slave", StringComparison.Ordinal))
            arguments.Add("--mount=type=bind,source=/var/run/docker/netns,target=/var/run/docker/netns,readonly,bind-propagation=rslave");
        return arguments;
    }

    private static string RunSnapshot() => HostCommand.Run(Path.Combine(RepositoryPaths.Root, "run.sh"), "snapshot");

    private static async Task WaitUntilServingAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/api/topology");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (clock.Elapsed < Patience)
            {
            }
            if (clock.Elapsed >= Patience) throw new TimeoutException($"the container did not serve /api/topology within {Patience}");
            if (HostCommand.Run("docker", "inspect", "-f", "{{.State.Running}}", Container) != "true")
                throw new InvalidOperationException("the container stopped");
            await Task.Delay(250);
        }
    }

    private static async Task WaitForNodeAsync(HttpClient client, string id)
    {
        var clock = Stopwatch.StartNew();
        while (!Picture.Of(await client.GetStringAsync("/api/topology")).Has(id))
        {
            Assert.True(clock.Elapsed < Patience, $"{id} (ip netns add after the start) never appeared in the container's topology");
            await Task.Delay(250);
        }
    }

    private static string? ContainerLog()
    {
        try
        {
            return HostCommand.Run("docker", "logs", "--tail", "40", Container);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Removes what this test creates (leftovers of an interrupted run included), and nothing else.</summary>
    private static void Sweep()
    {
        HostCommand.RemoveContainersLabelled(Label);
        foreach (var name in new[] { Before, After })
            if (File.Exists($"/var/run/netns/{name}"))
                HostCommand.Run("ip", "netns", "del", name);
    }

    /// <summary>
    /// What two readers of the same host must agree on: each node's id, kind, label and parent, each edge's id,
    /// kind, source and target, and which sources could be read. Not props: counters, process lists and the
    /// reader's own identity (the container has no /etc/machine-id) legitimately differ.
    /// </summary>
    private sealed record Picture(SortedSet<string> Elements, string Sources)
    {
        public static Picture Of(string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var elements = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var node in root.GetProperty("nodes").EnumerateArray())
                elements.Add(Line(node, "id", "kind", "label", "parent"));
            foreach (var edge in root.GetProperty("edges").EnumerateArray())
                elements.Add(Line(edge, "id", "kind", "source", "target"));
            var sources = string.Join(" ", root.GetProperty("sources").EnumerateObject()
                .Select(s => $"{s.Name}={s.Value.GetProperty("ok").GetBoolean()}").Order(StringComparer.Ordinal));
            return new Picture(elements, sources);
        }

        public bool Has(string id) => Elements.Any(e => e.StartsWith(id + " | ", StringComparison.Ordinal));

        public bool Equals(Picture? other) =>
            other is not null && Sources == other.Sources && Elements.SetEquals(other.Elements);

        public override int GetHashCode() => Sources.GetHashCode(StringComparison.Ordinal);

        /// <summary>What only this picture has and what only the other one has (at most 15 lines each).</summary>
        public string Difference(Picture other)
        {
            static string Few(IEnumerable<string> lines) => string.Join("\n    ", lines.Take(15));
            return $"sources {Sources} vs {other.Sources}\n  only in the first:\n    {Few(Elements.Except(other.Elements))}" +
                $"\n  only in the second:\n    {Few(other.Elements.Except(Elements))}";
        }

        private static string Line(JsonElement element, params string[] fields) =>
            string.Join(" | ", fields.Select(f => element.TryGetProperty(f, out var v) ? v.ToString() : ""));
    }
}
