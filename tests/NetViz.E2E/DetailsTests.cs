using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using Xunit.Abstractions;
using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E;

/// <summary>
/// Every click tells the truth. Given objects this test makes (prefix nvdet): a container on its own bridge network
/// publishing 127.0.0.1:18110, a namespace made with ip netns behind a bridge, and a namespace whose name is shell
/// code; when each element's details drawer is opened in Chromium, then every command it offers for copying runs on
/// this host (as the test's own process, bash -c) and its output holds the values the drawer shows, read
/// independently with docker/stat/ip: PID, inode, addresses, MACs, bridge ports, the DNAT rule's port. The hostile
/// name's commands create nothing. The JSON export downloads the same document /api/topology serves, and a closed tab
/// leaves no error in the server's log.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class DetailsTests : IAsyncLifetime
{
    private const float Patience = 60_000;
    private const string Label = "netviz.test=nvdet";
    private const string Container = "nvdet-web";
    private const string Network = "nvdet-net";
    private const string Blue = "nvdet-blue";
    // A namespace name is a file name under /var/run/netns, so it cannot hold a '/': the command it would run
    // touches nvdet-x in the directory bash runs in (Pasted below), which must stay empty.
    private const string Hostile = "nvdet;touch nvdet-x;#";
    private static readonly string Pasted = Path.Combine(Path.GetTempPath(), "nvdet-paste");
    private static string Marker => Path.Combine(Pasted, "nvdet-x");
    private const string Bridge = "nvdet-br", HostVeth = "nvdet-vh", NsVeth = "nvdet-vn";
    private const int HostPort = 18110;
    // A macvlan network needs a parent link: a bridge of our own stands in for a NIC (no traffic is sent).
    private const string MacvlanParent = "nvdet-mb", MacvlanNetwork = "nvdet-mac", MacvlanContainer = "nvdet-macc";

    private readonly NetVizAppFixture _app;
    private readonly ITestOutputHelper _output;

    public DetailsTests(NetVizAppFixture app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
    }

    public Task InitializeAsync()
    {
        Cleanup();
        Run("docker", "network", "create", "--label", Label, "--subnet", "10.131.0.0/24", Network);
        Run("docker", "run", "-d", "--name", Container, "--label", Label, "--network", Network, "-p", $"127.0.0.1:{HostPort}:80", "netviz/busybox:lab", "sleep", "3600");
        Run("ip", "netns", "add", Blue);
        Run("ip", "netns", "add", Hostile);
        Run("ip", "link", "add", Bridge, "type", "bridge");
        Run("ip", "addr", "add", "10.132.0.1/24", "dev", Bridge);
        Run("ip", "link", "set", Bridge, "up");
        Run("ip", "link", "add", HostVeth, "type", "veth", "peer", "name", NsVeth);
        Run("ip", "link", "set", HostVeth, "master", Bridge);
        Run("ip", "link", "set", HostVeth, "up");
        Run("ip", "link", "set", NsVeth, "netns", Blue);
        Run("ip", "-n", Blue, "addr", "add", "10.132.0.2/24", "dev", NsVeth);
        Run("ip", "-n", Blue, "link", "set", NsVeth, "up");
        Run("ip", "-n", Blue, "route", "add", "default", "via", "10.132.0.1");
        Run("ip", "link", "add", MacvlanParent, "type", "bridge");
        Run("docker", "network", "create", "--label", Label, "-d", "macvlan", "--subnet", "10.133.0.0/24", "-o", "parent=" + MacvlanParent, MacvlanNetwork);
        Run("docker", "run", "-d", "--name", MacvlanContainer, "--label", Label, "--network", MacvlanNetwork, "netviz/busybox:lab", "sleep", "3600");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Cleanup();
        return Task.CompletedTask;
    }

    private static void Cleanup()
    {
        Try("docker", "rm", "-f", Container);
        Try("docker", "rm", "-f", MacvlanContainer);
        Try("docker", "network", "rm", MacvlanNetwork);
        Try("ip", "link", "del", MacvlanParent);
        Try("docker", "network", "rm", Network);
        Try("ip", "link", "del", HostVeth);
        Try("ip", "link", "del", Bridge);
        Try("ip", "netns", "del", Blue);
        Try("ip", "netns", "del", Hostile);
        if (Directory.Exists(Pasted)) Directory.Delete(Pasted, recursive: true);
    }

    private static void Try(string file, params string[] args)
    {
        try { Run(file, args); } catch (InvalidOperationException) { }
    }

    /// <summary>A shell command run exactly as a person pasting it would: bash -c, stdout and stderr together.</summary>
    private static (int Exit, string Output) Bash(string command)
    {
        Directory.CreateDirectory(Pasted);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Pasted };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(20))) p.Kill(entireProcessTree: true);
        return (p.ExitCode, stdout + stderr.Result);
    }

    private sealed record Drawer(string Text, IReadOnlyList<(string Command, string Explanation)> Copyable);

    private async Task<Drawer> OpenDrawerAsync(IPage page, string id)
    {
        await page.GotoAsync("/?focus=" + Uri.EscapeDataString(id));
        var details = page.Locator($"[data-testid=element-details][data-element-id=\"{id}\"]");
        await details.WaitForAsync(new LocatorWaitForOptions { Timeout = Patience });
        var hints = new List<(string, string)>();
        foreach (var hint in await details.Locator("[data-testid=command-hint]").AllAsync())
        {
            if (await hint.Locator("[data-testid=copy-command]").CountAsync() == 0) continue;
            // NetViz never changes the host, and neither does this test: the bind mount and what needs it are left out.
            if (await hint.Locator("[data-testid=changes-host], [data-testid=needs-previous]").CountAsync() > 0) continue;
            hints.Add((await hint.Locator("[data-testid=command]").InnerTextAsync(), await hint.InnerTextAsync()));
        }
        return new Drawer(await details.InnerTextAsync(), hints);
    }

    /// <summary>Runs every copyable command; the ones needing ethtool say which package brings it when it is missing.</summary>
    private string RunAll(Drawer drawer)
    {
        var outputs = new List<string>();
        Assert.NotEmpty(drawer.Copyable);
        foreach (var (command, explanation) in drawer.Copyable)
        {
            Assert.DoesNotContain("<pid>", command);
            if (command.Contains("ethtool", StringComparison.Ordinal) && Bash("command -v ethtool").Exit != 0)
            {
                Assert.Contains("ethtool package", explanation);
                continue;
            }
            var (exit, output) = Bash(command);
            _output.WriteLine($"$ {command}\n{output}");
            Assert.True(exit == 0, $"`{command}` exited {exit}: {output}");
            outputs.Add(output);
        }
        return string.Join("\n", outputs);
    }

    private async Task<JsonElement> WaitForTopologyAsync(Func<JsonElement, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (_, document) = await _app.Server.GetTopologyAsync();
            if (ready(document.RootElement)) return document.RootElement.Clone();
            if (DateTime.UtcNow > deadline) throw new TimeoutException("NetViz never showed the test's objects");
            await Task.Delay(500);
        }
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement topology, string kind) =>
        topology.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("kind").GetString() == kind);

    private static string? Prop(JsonElement node, string name) =>
        node.GetProperty("props").TryGetProperty(name, out var v) && v.ValueKind is not JsonValueKind.Null ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString()) : null;

    private static JsonElement Named(JsonElement topology, string kind, string name) =>
        Nodes(topology, kind).Single(n => Prop(n, "name") == name);

    [Fact]
    public async Task Every_copyable_command_runs_here_and_shows_what_the_drawer_shows()
    {
        var containerPid = Run("docker", "inspect", "-f", "{{.State.Pid}}", Container);
        var containerIp = Run("docker", "inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{Network}\").IPAddress}}}}", Container);
        var containerMac = Run("docker", "inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{Network}\").MacAddress}}}}", Container);
        var inode = Run("stat", "-L", "-c", "%i", $"/proc/{containerPid}/ns/net");
        var blueInode = Run("stat", "-L", "-c", "%i", $"/var/run/netns/{Blue}");

        var topology = await WaitForTopologyAsync(t =>
            Nodes(t, "container").Any(n => Prop(n, "name") == Container && Prop(n, "netns") is not null)
            && Nodes(t, "nat-rule").Any(n => Prop(n, "hostPort") == HostPort.ToString())
            && Nodes(t, "netns").Any(n => Prop(n, "name") == Blue) && Nodes(t, "netns").Any(n => Prop(n, "name") == Hostile)
            && Nodes(t, "interface").Any(n => Prop(n, "name") == HostVeth && Prop(n, "peer") is not null)
            // Docker's embedded-DNS rules inside the container's namespace (read there with nsenter).
            && Nodes(t, "nat-rule").Any(n => Prop(n, "chain") == "DOCKER_OUTPUT" && Prop(n, "netns") is { } ns
                && Nodes(t, "container").Any(c => Prop(c, "name") == Container && Prop(c, "netns") == ns)));

        var container = Named(topology, "container", Container);
        var netnsId = Prop(container, "netns")!;
        var eth0 = Nodes(topology, "interface").Single(n => n.GetProperty("parent").GetString() == netnsId && Prop(n, "name") == "eth0");
        var hostEnd = Nodes(topology, "interface").Single(n => n.GetProperty("id").GetString() == Prop(eth0, "peer"));
        var network = Named(topology, "network", Network);
        var bridgeId = Prop(network, "bridge")!;
        var dnat = Nodes(topology, "nat-rule").Single(n => Prop(n, "hostPort") == HostPort.ToString());
        var blue = Named(topology, "netns", Blue);
        var hostile = Named(topology, "netns", Hostile);
        var id = (JsonElement n) => n.GetProperty("id").GetString()!;

        await using var context = await _app.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);

        // The container: its PID, the inode of its namespace, its address, MAC and published port.
        var drawer = await OpenDrawerAsync(page, id(container));
        var output = RunAll(drawer);
        foreach (var value in new[] { containerPid, inode, containerIp, containerMac, HostPort.ToString() })
        {
            Assert.Contains(value, drawer.Text);
            Assert.Contains(value, output);
        }
        Assert.Contains("user-defined bridge network " + Network, drawer.Text);
        // docker-proxy: the process ss says listens on the published port is the one the drawer names.
        var listening = Run("ss", "-ltnpH", $"sport = :{HostPort}");
        var proxyPid = Regex.Match(listening, @"""docker-proxy"",pid=(\d+)").Groups[1].Value;
        Assert.NotEmpty(proxyPid);
        Assert.Contains($"docker-proxy (PID {proxyPid})", drawer.Text);
        var port = container.GetProperty("props").GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("hostPort").ToString() == HostPort.ToString());
        Assert.Equal(proxyPid, port.GetProperty("proxyPid").ToString());
        Assert.True(port.GetProperty("proxyListening").GetBoolean());

        _output.WriteLine("screenshot: " + await Screenshots.SaveAsync(page, "details-container"));

        // Its namespace: the inode and the address inside; the process holding it (the container's main process) by
        // PID and command line, as /proc says, and the container it belongs to.
        drawer = await OpenDrawerAsync(page, netnsId);
        output = RunAll(drawer);
        foreach (var value in new[] { inode, containerIp }) { Assert.Contains(value, drawer.Text); Assert.Contains(value, output); }
        var cmdline = File.ReadAllText($"/proc/{containerPid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        Assert.Equal("sleep 3600", cmdline);
        var details = page.Locator($"[data-testid=element-details][data-element-id=\"{netnsId}\"]");
        Assert.Equal(containerPid, await details.Locator("[data-testid=holder-pid]").InnerTextAsync());
        Assert.Equal(cmdline, await details.Locator("[data-testid=holder-command]").InnerTextAsync());
        Assert.Equal(id(container), await details.Locator("[data-testid=holder-container]").GetAttributeAsync("data-related-id"));
        Assert.Contains($"{containerPid} {cmdline}", output);

        // An embedded-DNS rule of that namespace: its commands run inside the namespace and list it, with the port
        // the drawer shows; the host's own nat table does not hold it.
        var dns = Nodes(topology, "nat-rule").First(n => Prop(n, "chain") == "DOCKER_OUTPUT" && Prop(n, "netns") == netnsId && Prop(n, "target") == "DNAT");
        drawer = await OpenDrawerAsync(page, id(dns));
        output = RunAll(drawer);
        Assert.All(drawer.Copyable, c => Assert.StartsWith("nsenter --net=", c.Command, StringComparison.Ordinal));
        var dnsTo = $"127.0.0.11:{Prop(dns, "toPort")}";
        Assert.Contains(dnsTo, drawer.Text);
        Assert.Contains("to:" + dnsTo, output);
        Assert.DoesNotContain("to:" + dnsTo, Run("iptables", "-t", "nat", "-L", "-n"));

        // eth0 inside and the host end of its cable: MAC and address; the host end's bridge.
        drawer = await OpenDrawerAsync(page, id(eth0));
        output = RunAll(drawer);
        foreach (var value in new[] { containerMac, containerIp }) { Assert.Contains(value, drawer.Text); Assert.Contains(value, output); }
        drawer = await OpenDrawerAsync(page, id(hostEnd));
        output = RunAll(drawer);
        // While the drawer is open, its cable's traffic is measured on the host end and shown.
        var traffic = page.Locator($"[data-testid=element-details][data-element-id=\"{id(hostEnd)}\"] [data-testid=traffic]");
        Assert.Equal(id(hostEnd), await traffic.GetAttributeAsync("data-measured-id"));
        await traffic.Locator("[data-testid=traffic-rx]").WaitForAsync(new LocatorWaitForOptions { Timeout = Patience });
        Assert.Matches(@"/s", await traffic.Locator("[data-testid=traffic-tx]").InnerTextAsync());
        var hostEndName = Prop(hostEnd, "name")!;
        var bridgeName = Prop(network, "bridgeName")!;
        Assert.Contains(hostEndName, output);
        Assert.Contains(bridgeName, drawer.Text);
        Assert.Contains("master " + bridgeName, output);

        // The network's bridge: `ip link show master` lists exactly its ports (here, the one host end).
        drawer = await OpenDrawerAsync(page, bridgeId);
        output = RunAll(drawer);
        Assert.Contains(hostEndName, drawer.Text);
        Assert.Contains(hostEndName + "@", output);
        Assert.DoesNotContain(HostVeth + "@", output);

        // The network: its subnet and the gateway the bridge holds (Docker's IPAM config has none for --subnet).
        drawer = await OpenDrawerAsync(page, id(network));
        output = RunAll(drawer);
        foreach (var value in new[] { "10.131.0.0/24", "10.131.0.1" }) { Assert.Contains(value, drawer.Text); Assert.Contains(value, output); }

        // The DNAT rule: its port in iptables' listing, its destination, and docker-proxy holding the same port.
        drawer = await OpenDrawerAsync(page, id(dnat));
        output = RunAll(drawer);
        Assert.Contains($"dpt:{HostPort}", output);
        Assert.Contains($"{containerIp}:80", drawer.Text);
        Assert.Contains($"{containerIp}:80", output);
        Assert.Contains($"docker-proxy (PID {proxyPid})", drawer.Text);
        Assert.Contains($"pid={proxyPid}", output);
        // Drawn beside the gate: the rule's label in the graph names the proxy.
        Assert.EndsWith($"+ docker-proxy (pid {proxyPid})", await page.EvaluateAsync<string>("id => window.netvizCy.getElementById(id).data('label')", id(dnat)));

        _output.WriteLine("screenshot: " + await Screenshots.SaveAsync(page, "details-dnat"));

        // The ip netns namespace: inode, address, default route via the bridge; the bridge's ports.
        drawer = await OpenDrawerAsync(page, id(blue));
        output = RunAll(drawer);
        Assert.Contains(blueInode, drawer.Text);
        foreach (var value in new[] { "10.132.0.2", "10.132.0.1" }) { Assert.Contains(value, drawer.Text); Assert.Contains(value, output); }
        Assert.Contains("default via 10.132.0.1", output);
        var bridgeNode = Named(topology, "interface", Bridge);
        drawer = await OpenDrawerAsync(page, id(bridgeNode));
        output = RunAll(drawer);
        Assert.Contains(HostVeth, drawer.Text);
        Assert.Contains(HostVeth + "@", output);
        Assert.DoesNotContain(hostEndName + "@", output);

        // The hostile name: every copyable command, pasted into bash, treats it as one argument and creates nothing.
        drawer = await OpenDrawerAsync(page, id(hostile));
        Assert.NotEmpty(drawer.Copyable);
        foreach (var (command, _) in drawer.Copyable)
        {
            Bash(command);
            Assert.False(File.Exists(Marker), $"`{command}` ran the name as code");
        }
        Assert.Contains(Hostile, drawer.Text);
    }

    [Fact]
    public async Task A_macvlan_network_hangs_from_its_parent_in_the_graph_and_a_mac_is_found_in_any_notation()
    {
        var ip = Run("docker", "inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{MacvlanNetwork}\").IPAddress}}}}", MacvlanContainer);
        var mac = Run("docker", "inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{MacvlanNetwork}\").MacAddress}}}}", MacvlanContainer);
        var topology = await WaitForTopologyAsync(t =>
            Nodes(t, "network").Any(n => Prop(n, "name") == MacvlanNetwork && Prop(n, "parentInterface") is not null)
            && Nodes(t, "container").Any(n => Prop(n, "name") == MacvlanContainer && Prop(n, "netns") is not null));
        var network = Named(topology, "network", MacvlanNetwork);
        var networkId = network.GetProperty("id").GetString()!;
        var parent = Named(topology, "interface", MacvlanParent);
        Assert.Equal(parent.GetProperty("id").GetString(), Prop(network, "parentInterface"));
        var container = Named(topology, "container", MacvlanContainer);
        var eth0 = Nodes(topology, "interface").Single(n => n.GetProperty("parent").GetString() == Prop(container, "netns") && Prop(n, "name") == "eth0");

        await using var context = await _app.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        // The network is drawn, cabled to its parent NIC.
        await page.WaitForFunctionAsync("""
            ([net, parent]) => { const cy = window.netvizCy; return cy.getElementById(net).nonempty() && cy.getElementById(net).edgesWith(cy.getElementById(parent)).nonempty(); }
            """, new[] { networkId, parent.GetProperty("id").GetString()! });

        // A MAC written with dashes in capitals, as Windows prints it, finds the interface that has it.
        var dashed = mac.Replace(':', '-').ToUpperInvariant();
        await page.FillAsync("input[data-testid=graph-search], [data-testid=graph-search] input", dashed);
        await page.WaitForFunctionAsync("id => window.netvizCy.getElementById(id).hasClass('nv-match')", eth0.GetProperty("id").GetString());
        await page.FillAsync("input[data-testid=graph-search], [data-testid=graph-search] input", mac.Replace(":", ""));
        await page.WaitForFunctionAsync("id => window.netvizCy.getElementById(id).hasClass('nv-match')", eth0.GetProperty("id").GetString());

        // Its container's drawer tells the macvlan story with the real parent, address and MAC; its commands agree.
        var drawer = await OpenDrawerAsync(page, container.GetProperty("id").GetString()!);
        Assert.Contains($"macvlan network {MacvlanNetwork}: eth0 ({ip}/24) is a macvlan device on the host's {MacvlanParent} with its own MAC {mac}", drawer.Text);
        Assert.DoesNotContain("veth pair", drawer.Text);
        var output = RunAll(drawer);
        foreach (var value in new[] { ip, mac }) Assert.Contains(value, output);
        drawer = await OpenDrawerAsync(page, networkId);
        Assert.Contains($"{MacvlanNetwork} is a macvlan network on the host's {MacvlanParent}", drawer.Text);
    }

    [Fact]
    public async Task The_json_export_downloads_what_the_api_serves()
    {
        await using var context = await _app.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
        Assert.Equal("/api/topology?download=1", await page.GetAttributeAsync("[data-testid=export-json]", "href"));

        // The host may change between two reads: compare when the API says the same before and after the download.
        for (var attempt = 0; ; attempt++)
        {
            var (before, _) = await _app.Server.GetTopologyAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export-json]"));
            var path = await download.PathAsync();
            var (after, api) = await _app.Server.GetTopologyAsync();
            if (before != after && attempt < 5) continue;
            using var downloaded = JsonDocument.Parse(await File.ReadAllTextAsync(path!));
            Assert.Matches(new Regex(@"^netviz-.+\.json$"), download.SuggestedFilename);
            Assert.Equal(api.RootElement.ToString(), downloaded.RootElement.ToString());
            break;
        }
        using var client = _app.Server.CreateHttpClient();
        foreach (var flag in new[] { "1", "true" })
        {
            using var response = await client.GetAsync("/api/topology?download=" + flag);
            Assert.True(response.IsSuccessStatusCode, $"download={flag}: {(int)response.StatusCode}");
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            using var _ = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_closed_tab_logs_no_error()
    {
        var mark = _app.Server.LogMark;
        for (var i = 0; i < 3; i++)
        {
            var context = await _app.NewContextAsync();
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(Patience);
            await page.GotoAsync("/");
            await page.WaitForSelectorAsync("[data-testid=graph][data-graph-ready=true]");
            // A selection on its way to the server (it opens the drawer and puts ?focus= in the address) when the tab
            // closes, as a person clicking and closing at once: the server's JS calls meet a closing circuit.
            var selected = await page.EvaluateAsync<string>(
                "() => { const n = window.netvizCy.nodes().filter(n => !n.isParent()).first(); n.emit('tap'); return n.id(); }");
            Assert.False(string.IsNullOrEmpty(selected));
            if (i == 0)
            {
                // Once, let it land: proof that the tap selects (the drawer opens, the address carries it).
                await page.Locator($"[data-testid=element-details][data-element-id='{selected}']").WaitForAsync();
                await page.WaitForFunctionAsync("id => new URL(location.href).searchParams.get('focus') === id", selected);
                await page.EvaluateAsync(
                    "() => { const n = window.netvizCy.nodes().filter(n => !n.isParent()).last(); n.emit('tap'); }");
            }
            await page.CloseAsync();
            await context.CloseAsync();
        }
        // The server notices the closed sockets at once; give the circuits time to go.
        await Task.Delay(TimeSpan.FromSeconds(5));
        // Only what the app wrote during these closes: the kept window of the whole log slides, and a failure an
        // earlier test provoked may leave it meanwhile.
        var written = _app.Server.LogSince(mark);
        var failures = written.Where(line => Regex.IsMatch(line, @"fail: |crit: |Unhandled exception in circuit")).ToList();
        Assert.True(failures.Count == 0, "the server logged a failure when tabs closed:\n" + string.Join("\n", written));
    }
}
