using System.Diagnostics;
using System.Text.Json;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Operations;

/// <summary>
/// The app run as an operator runs it: a real process, the real Docker engine, the real kernel.
/// Containers are named nvops-* and labelled netviz.test=nvops. The class runs alone (the node gauge is compared
/// with what `docker ps -a` counts, which other tests' containers would disturb).
/// </summary>
[Collection(OperationsCollection.Name)]
public sealed class OperationsTests(OperationsFixture f)
{
    [Fact]
    public async Task Healthz_and_readyz_are_200_while_running_and_name_only_statuses_and_sources()
    {
        var (live, liveBody) = await f.App.HealthAsync("/healthz");
        Assert.Equal(200, live);
        Assert.Equal("Healthy", liveBody.GetProperty("status").GetString());

        await f.App.WaitForAsync(async () => (await f.App.HealthAsync("/readyz")).Status == 200, "/readyz 200");
        var (ready, body) = await f.App.HealthAsync("/readyz");
        Assert.Equal(200, ready);
        var checks = body.GetProperty("checks");
        Assert.Equal(["docker", "feed", "nat", "netlink"], checks.EnumerateObject().Select(c => c.Name).Order());
        foreach (var source in new[] { "docker", "netlink", "nat" })
        {
            Assert.Equal("Healthy", checks.GetProperty(source).GetProperty("status").GetString());
            Assert.Equal($"{source}: ok", checks.GetProperty(source).GetProperty("description").GetString());
        }
        // Nothing of the topology: no container name or id the engine reports appears in the answer.
        var text = body.GetRawText();
        foreach (var name in DockerCli.Docker("ps", "-a", "--format", "{{.Names}} {{.ID}}").Split(['\n', ' '], StringSplitOptions.RemoveEmptyEntries))
            Assert.DoesNotContain(name, text);
    }

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_and_a_docker_run_moves_the_events_counter_and_the_node_gauge()
    {
        // The snapshot gauges exist from the first snapshot on, which readiness waits for.
        await f.App.WaitForAsync(async () => (await f.App.HealthAsync("/readyz")).Status == 200, "/readyz 200");
        const string events = "netviz_live_events_total";
        const string nodes = "netviz_snapshot_nodes";
        var before = await f.App.MetricsAsync();
        Assert.Equal("counter", before.Types[events]);
        Assert.Equal("gauge", before.Types[nodes]);
        Assert.Equal("histogram", before.Types["netviz_source_collection_duration_seconds"]);
        Assert.Contains("process_cpu_time_seconds_total", before.Types.Keys);
        Assert.Contains("process_memory_usage_bytes", before.Types.Keys);
        Assert.Equal(CountContainers(), before.Sum(nodes, ("netviz_node_kind", "container")));
        var eventsBefore = before.Sum(events, ("netviz_trigger", "docker"));

        var name = $"nvops-{Guid.NewGuid():N}"[..18];
        var id = DockerCli.Docker("run", "-d", "--name", name, "--label", OperationsFixture.Label, DockerCli.Image, "sleep", "300");
        try
        {
            var expected = CountContainers();
            PrometheusText? after = null;
            await f.App.WaitForAsync(async () =>
            {
                after = await f.App.MetricsAsync();
                return after.Sum(nodes, ("netviz_node_kind", "container")) == expected && after.Sum(events, ("netviz_trigger", "docker")) >= eventsBefore + 3;
            }, $"the container gauge at {expected} (docker ps -a) and 3 more docker events (create, connect, start)");
            Assert.Equal(before.Sum(nodes, ("netviz_node_kind", "container")) + 1, after!.Sum(nodes, ("netviz_node_kind", "container")));
            Assert.True(after.Sum("netviz_live_diffs_total") > before.Sum("netviz_live_diffs_total"));
        }
        finally
        {
            DockerCli.Docker("rm", "-f", id);
        }
        var gone = CountContainers();
        await f.App.WaitForAsync(async () => (await f.App.MetricsAsync()).Sum(nodes, ("netviz_node_kind", "container")) == gone,
            $"the container gauge back at {gone} after docker rm");
    }

    [Fact]
    public async Task Every_metric_the_grafana_dashboard_queries_is_exported()
    {
        await f.App.WaitForAsync(async () => (await f.App.HealthAsync("/readyz")).Status == 200, "/readyz 200");
        var dashboard = File.ReadAllText(Path.Combine(OperationsFixture.Repository, "deploy", "grafana", "netviz-dashboard.json"));
        var exprs = JsonDocument.Parse(dashboard).RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        var queried = exprs.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, @"\b((?:netviz|process)_[a-z_]+)\{").Select(m => m.Groups[1].Value))
            .Select(n => n.EndsWith("_bucket", StringComparison.Ordinal) ? n[..^"_bucket".Length] : n).Distinct().ToList();
        Assert.True(queried.Count >= 10, string.Join(", ", queried));

        var exported = (await f.App.MetricsAsync()).Types.Keys.ToHashSet();
        // Source errors exist once a source failed: the Docker-socket test reads that family from a failing app.
        var missing = queried.Where(n => !exported.Contains(n) && n != "netviz_source_errors_total").ToList();
        Assert.True(missing.Count == 0, "queried but not exported: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_and_neither_requests_nor_polls_log_at_information()
    {
        await f.App.WaitForAsync(async () => (await f.App.HealthAsync("/readyz")).Status == 200, "/readyz 200");
        var quietFrom = f.App.StdoutLines.Count;

        // What a team screen does all day: pages, the API, an event stream (one subscriber per tab), probes, scrapes;
        // meanwhile the NAT poll runs every 200 ms.
        for (var i = 0; i < 5; i++)
        {
            foreach (var path in new[] { "/", "/networks", "/api/topology", "/healthz", "/readyz", "/metrics" })
                (await f.App.Http.GetAsync(path)).EnsureSuccessStatusCode();
            using var stream = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                using var sse = await f.App.Http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, stream.Token);
                await sse.Content.ReadAsStringAsync(stream.Token);
            }
            catch (OperationCanceledException) { }
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var lines = f.App.StdoutLines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, entry.RootElement.ValueKind);
            foreach (var field in new[] { "Timestamp", "LogLevel", "Category", "Message" })
                Assert.True(entry.RootElement.TryGetProperty(field, out _), $"{field} missing in {line}");
        }
        Assert.Contains(lines, l => l.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\"", StringComparison.Ordinal));
        var chatty = lines.Skip(quietFrom)
            .Where(l => JsonDocument.Parse(l).RootElement.GetProperty("LogLevel").GetString() is "Information" or "Debug" or "Trace")
            .ToList();
        Assert.True(chatty.Count == 0, "logged per request or poll:\n" + string.Join('\n', chatty));
    }

    [Fact]
    public async Task The_version_switch_prints_the_version_and_the_commit_and_starts_nothing()
    {
        var head = DockerCli.Must("git", "-C", AppContext.BaseDirectory, "rev-parse", "HEAD");
        var (code, stdout) = await NetVizProcess.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches($@"^netviz \d+\.\d+\.\d+\S* \(commit {head}, \.NET \S+\)\n$", stdout);
    }

    [Fact]
    public async Task Readyz_is_unhealthy_with_the_reason_while_the_docker_socket_points_nowhere_and_healthy_when_it_comes_back()
    {
        var folder = Directory.CreateTempSubdirectory("netviz-ops-").FullName;
        var socket = Path.Combine(folder, "docker.sock");
        try
        {
            // The standard switch for JSON logs this time (the fixture's app uses --NetViz:LogFormat=json).
            await using var app = await NetVizProcess.StartAsync(
                ["--Logging:Console:FormatterName=json", "--NetViz:NatPollInterval=00:00:01"],
                new Dictionary<string, string> { ["DOCKER_HOST"] = "unix://" + socket });

            JsonElement body = default;
            await app.WaitForAsync(async () =>
            {
                (var status, body) = await app.HealthAsync("/readyz");
                return status == 503 && body.GetProperty("checks").GetProperty("netlink").GetProperty("status").GetString() == "Healthy";
            }, "/readyz 503 with the sources read");
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            var docker = body.GetProperty("checks").GetProperty("docker");
            Assert.Equal("Unhealthy", docker.GetProperty("status").GetString());
            Assert.Equal("docker: unreachable", docker.GetProperty("description").GetString());
            Assert.Equal("unreachable", docker.GetProperty("error.type").GetString());
            Assert.DoesNotContain(folder, body.GetRawText());
            Assert.Equal(200, (await app.HealthAsync("/healthz")).Status);

            var down = await app.MetricsAsync();
            Assert.Equal(0, down.Sum("netviz_source_available", ("netviz_source", "docker")));
            Assert.True(down.Sum("netviz_source_errors_total", ("netviz_source", "docker"), ("error_type", "unreachable")) >= 1);
            // The outage is logged (once, as a warning), as JSON like everything else.
            Assert.All(app.StdoutLines, l => JsonDocument.Parse(l).Dispose());

            // The engine "comes back" at that path: a proxy to the host's engine (which is never stopped).
            await using (UnixSocketProxy.Start(socket, "/var/run/docker.sock"))
            {
                await app.WaitForAsync(async () => (await app.HealthAsync("/readyz")).Status == 200, "/readyz 200 once the socket answers");
                var (_, ready) = await app.HealthAsync("/readyz");
                Assert.Equal("Healthy", ready.GetProperty("status").GetString());
                Assert.Equal("docker: ok", ready.GetProperty("checks").GetProperty("docker").GetProperty("description").GetString());
                Assert.Equal(1, (await app.MetricsAsync()).Sum("netviz_source_available", ("netviz_source", "docker")));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int CountContainers() =>
        DockerCli.Docker("ps", "-aq").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}

/// <summary>One app (JSON logs, fast NAT poll) shared by the tests of <see cref="OperationsTests"/>.</summary>
public sealed class OperationsFixture : IAsyncLifetime
{
    public const string Label = "netviz.test=nvops";

    /// <summary>The repository the tests were built from (the folder holding NetViz.sln).</summary>
    public static string Repository { get; } = FindRepository();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetViz.sln not found above " + AppContext.BaseDirectory);
    }
    private NetVizProcess? _app;

    public NetVizProcess App => _app ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        DockerCli.RequireEngine();
        RemoveTestContainers();
        _app = await NetVizProcess.StartAsync(["--NetViz:LogFormat=json", "--NetViz:NatPollInterval=00:00:00.200"]);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        RemoveTestContainers();
    }

    private static void RemoveTestContainers()
    {
        var ids = DockerCli.Run("docker", "ps", "-aq", "--filter", "label=" + Label).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0) DockerCli.Run("docker", ["rm", "-f", .. ids]);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperationsCollection : ICollectionFixture<OperationsFixture>
{
    public const string Name = "nvops operations";
}
