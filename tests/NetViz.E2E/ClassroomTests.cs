using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using NetViz.E2E.Infrastructure;
using Xunit.Abstractions;
using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E;

/// <summary>
/// The classroom (issue 13) in real Chromium on the lesson's lab: the tour from none to published ports in English
/// and Korean, each step focusing the elements docker, ip and stat say it is about; Hangul drawn as Hangul; and the
/// timeline telling and replaying a <c>docker run -p</c> made during the test.
/// </summary>
[Collection(NetVizAppCollection.Name)]
public sealed class ClassroomTests(NetVizAppFixture app, ClassroomLab lab, ITestOutputHelper output) : IClassFixture<ClassroomLab>
{
    private const float Patience = 60_000;
    private static readonly string[] LabContainers = ["netviz-lab-none", "netviz-lab-host", "netviz-lab-web"];

    private readonly ClassroomLab _lab = lab;

    private async Task<(IBrowserContext Context, IPage Page)> OpenAsync(string language, string path, bool graph = true)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1600, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        // The language switch's own endpoint: sets the cookie, then goes to the page.
        await page.GotoAsync($"/culture?c={language}&r={Uri.EscapeDataString(path)}");
        await page.WaitForSelectorAsync(graph ? "[data-testid=graph][data-graph-ready=true]" : "[data-testid=language-switch]");
        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
        return (context, page);
    }

    private static string Inode(string path) => Run("stat", "-L", "-c", "%i", path);
    private static string HostNetns => "netns:" + Inode("/proc/self/ns/net");
    private static string HostIf(string name) => $"if:{Inode("/proc/self/ns/net")}:{File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim()}";
    private static string Inspect(string name, string format) => Run("docker", "inspect", "-f", format, name);

    /// <summary>The container's eth0 (ifindex in its namespace) and the host end of its pair, as `ip -o link` in the namespace prints them.</summary>
    private static (int Eth0, int Peer) Eth0(string pid)
    {
        var line = Run("nsenter", "--target", pid, "--net", "ip", "-o", "link", "show", "eth0"); // "15781: eth0@if15782: <...>"
        var eth0 = int.Parse(line[..line.IndexOf(':')]);
        var at = line.IndexOf("@if", StringComparison.Ordinal) + 3;
        return (eth0, int.Parse(line[at..line.IndexOf(':', at)]));
    }

    /// <summary>What each step must focus, from docker, ip and stat; rule labels for the NAT steps.</summary>
    private static List<(string Step, string[] Ids, string? RuleLabel)> Truth()
    {
        string Ctr(string name) => "ctr:" + Inspect(name, "{{.Id}}");
        var nonePid = Inspect("netviz-lab-none", "{{.State.Pid}}");
        var noneNs = Inode($"/proc/{nonePid}/ns/net");
        var webPid = Inspect("netviz-lab-web", "{{.State.Pid}}");
        var webNs = Inode($"/proc/{webPid}/ns/net");
        var (eth0, peer) = Eth0(webPid);
        var host = Inode("/proc/self/ns/net");
        var docker0 = HostIf("docker0");
        var subnet = Run("docker", "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "bridge");
        var published = Run("docker", "port", "netviz-lab-web", "80/tcp").Split('\n')[0].Trim(); // 127.0.0.1:8080
        return
        [
            ("none", [Ctr("netviz-lab-none"), $"netns:{noneNs}", $"if:{noneNs}:1"], null),
            ("host", [Ctr("netviz-lab-host")], null),
            ("bridge", [docker0, "net:" + Run("docker", "network", "inspect", "-f", "{{.Id}}", "bridge")], null),
            ("veth", [$"if:{webNs}:{eth0}", $"if:{host}:{peer}"], null),
            ("netns", [$"netns:{webNs}", Ctr("netviz-lab-web")], null),
            ("route", [$"if:{webNs}:{eth0}", docker0], null),
            ("masquerade", [docker0], "MASQUERADE " + subnet),
            ("manual", ["netns:" + Inode("/var/run/netns/netviz-lab-blue"), HostIf("veth-blue"), HostIf("br-lab")], "MASQUERADE 10.124.0.0/24"),
            ("dnat", [Ctr("netviz-lab-web"), $"netns:{webNs}"], "DNAT tcp " + published),
        ];
    }

    private static Task<string[]> MarkedAsync(IPage page) =>
        page.EvaluateAsync<string[]>("() => window.netvizCy.elements('.nv-step').map(e => e.id())");

    private static Task<string[]> MarkedRuleLabelsAsync(IPage page) =>
        page.EvaluateAsync<string[]>("() => window.netvizCy.nodes('.nv-step[kind = \"nat-rule\"]').map(n => String(n.data('label')).replace(/\\n/g, ' '))");

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public async Task The_tour_runs_from_none_to_published_ports_focusing_the_real_elements_of_each_step(string language)
    {
        var (context, page) = await OpenAsync(language, "/?lesson=1");
        try
        {
            await page.WaitForFunctionAsync(
                "names => names.every(n => window.netvizCy.nodes('[kind = \"container\"]').some(c => c.data('label') === n))", LabContainers);
            var lesson = page.Locator("[data-testid=lesson]");
            var truth = Truth();
            for (var i = 0; i < truth.Count; i++)
            {
                var (step, ids, rule) = truth[i];
                if (i > 0)
                {
                    // Buttons and arrows both move the tour; Back comes back.
                    if (i % 2 == 0) await page.ClickAsync("[data-testid=lesson-next]");
                    else await lesson.PressAsync("ArrowRight");
                    if (i == 3)
                    {
                        await lesson.PressAsync("ArrowLeft");
                        await page.WaitForSelectorAsync("[data-testid=lesson][data-step-id=bridge]");
                        await page.ClickAsync("[data-testid=lesson-next]");
                    }
                }
                try
                {
                    await page.WaitForFunctionAsync(
                        "([step, ids]) => { const l = document.querySelector('[data-testid=lesson]'); if (!l || l.dataset.stepId !== step) return false;"
                        + " const marked = new Set(window.netvizCy.elements('.nv-step').map(e => e.id())); return ids.every(id => marked.has(id)); }",
                        new object[] { step, ids }, new PageWaitForFunctionOptions { Timeout = 20_000 });
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"step {step}: expected {string.Join(", ", ids)} marked; marked: {string.Join(", ", await MarkedAsync(page))}; "
                        + $"step shown: {await lesson.GetAttributeAsync("data-step-id")}");
                }
                Assert.Equal("true", await lesson.GetAttributeAsync("data-found"));
                if (rule is not null) Assert.Contains(await MarkedRuleLabelsAsync(page), l => l.Contains(rule, StringComparison.Ordinal));
                // What is focused is on screen: not hidden by a filter (loopbacks and NAT are shown in lesson mode).
                Assert.Equal(0, await page.EvaluateAsync<int>("ids => ids.filter(id => window.netvizCy.getElementById(id).hasClass('nv-hidden')).length", ids));
                if (step == "masquerade")
                {
                    // The MASQUERADE arrow points where packets go: from the bridge into the rule (head at the rule, its source end).
                    var arrows = await page.EvaluateAsync<string[]>(
                        "() => { const e = window.netvizCy.edges('.nv-step[kind = \"nat\"][type = \"masquerade\"]')[0]; return e ? [e.style('source-arrow-shape'), e.style('target-arrow-shape')] : []; }");
                    Assert.Equal(["triangle", "none"], arrows);
                }
                if (step == "dnat")
                {
                    var arrows = await page.EvaluateAsync<string[]>(
                        "() => window.netvizCy.edges('.nv-step[kind = \"nat\"][type = \"dnat-to\"]').map(e => e.style('target-arrow-shape'))");
                    Assert.NotEmpty(arrows);
                    Assert.All(arrows, a => Assert.Equal("triangle", a));
                }
                if (language == "ko") await Screenshots.SaveAsync(page, $"classroom-ko-{i + 1:00}-{step}");
            }
            Assert.True(await page.Locator("[data-testid=lesson-next]").IsDisabledAsync());
            var commands = await page.Locator("[data-testid=lesson-commands]").InnerTextAsync();
            Assert.Contains("docker port netviz-lab-web", commands);
            if (language == "ko")
            {
                Assert.Contains("포트 공개", await page.Locator("[data-testid=lesson-title]").InnerTextAsync());
                await AssertHangulIsDrawnAsync(page);
            }
            else
            {
                await Screenshots.SaveAsync(page, "classroom-en-09-dnat");
            }
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_language_switch_turns_the_page_Korean_and_the_choice_survives_a_reload()
    {
        var (context, page) = await OpenAsync("en", "/nat", graph: false);
        try
        {
            Assert.Equal("NAT rules", (await page.Locator("h5").First.InnerTextAsync()).Trim());
            await page.ClickAsync("[data-testid=lang-ko]");
            await page.WaitForFunctionAsync("() => document.documentElement.lang === 'ko'");
            Assert.EndsWith("/nat", page.Url);
            Assert.Equal("NAT 규칙", (await page.Locator("h5").First.InnerTextAsync()).Trim());
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("[data-testid=language-switch][data-language=ko]");
            await page.GotoAsync("/");
            Assert.Equal("타임라인", (await page.Locator("[data-testid=timeline] .mud-typography-subtitle2").First.InnerTextAsync()).Trim());
            Assert.Contains(await context.CookiesAsync(), c => c.Name == ".AspNetCore.Culture" && c.Value.Contains("ko", StringComparison.Ordinal));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>
    /// Draws a Hangul syllable and a code point no font has (U+0378, unassigned) in the lesson's own font on a canvas:
    /// without a Hangul font both come out as the same missing-glyph box.
    /// </summary>
    private async Task AssertHangulIsDrawnAsync(IPage page)
    {
        var renders = await page.EvaluateAsync<string[]>(@"() => {
            const font = getComputedStyle(document.querySelector('[data-testid=lesson-title]')).fontFamily;
            const draw = text => { const c = document.createElement('canvas'); c.width = 80; c.height = 80; const g = c.getContext('2d');
                g.fillStyle = '#fff'; g.fillRect(0, 0, 80, 80); g.fillStyle = '#000'; g.font = '56px ' + font; g.textBaseline = 'top';
                if (text) g.fillText(text, 8, 8); return c.toDataURL(); };
            return [draw('네'), draw('\u0378'), draw('')];
        }");
        output.WriteLine($"Hangul {renders[0].Length} bytes, box {renders[1].Length}, blank {renders[2].Length}");
        Assert.NotEqual(renders[2], renders[0]); // something is drawn
        Assert.NotEqual(renders[1], renders[0]); // and it is not the missing-glyph box
    }

    [Fact]
    public async Task The_timeline_tells_a_docker_run_p_made_during_the_test_in_order_and_replays_it()
    {
        var (context, page) = await OpenAsync("en", "/");
        var name = $"nvcls-web-{Environment.ProcessId}";
        try
        {
            await page.WaitForSelectorAsync("[data-testid=timeline]");
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            Run("docker", "run", "-d", "--name", name, "--label", ClassroomLab.Label, "-p", $"127.0.0.1:{port}:80", "netviz/busybox:lab", "sleep", "600");

            // Truth from docker, stat and ip.
            var id = Inspect(name, "{{.Id}}");
            var pid = Inspect(name, "{{.State.Pid}}");
            var ns = Inode($"/proc/{pid}/ns/net");
            var ip = Inspect(name, "{{.NetworkSettings.IPAddress}}");
            var prefix = Inspect(name, "{{.NetworkSettings.IPPrefixLen}}");
            var gateway = Inspect(name, "{{.NetworkSettings.Gateway}}");
            var (_, peer) = Eth0(pid);
            var hostVeth = Run("ip", "-o", "link", "show").Split('\n').Select(l => l.Split(": ")).First(p => p[0] == peer.ToString())[1].Split('@')[0];

            var episode = page.Locator("[data-testid=timeline-episode]", new PageLocatorOptions { HasText = name });
            await episode.First.ClickAsync();
            // The NAT rule comes with the same command, a moment later: wait until the episode holds it.
            await page.Locator("[data-testid=timeline-step][data-step-kind=nat-added]", new PageLocatorOptions { HasText = $"127.0.0.1:{port}" }).WaitForAsync();
            var steps = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('[data-testid=timeline-step]')].map(li => li.textContent.trim())");
            output.WriteLine(string.Join("\n", steps));

            string[] expected =
            [
                $"container {name} (netviz/busybox:lab) created",
                $"network namespace {ns} ({name}) created",
                $"veth {hostVeth} created in the host namespace",
                $"veth eth0 placed in network namespace {ns} ({name})",
                $"{hostVeth} enslaved to bridge docker0",
                $"{ip}/{prefix} assigned to eth0 in network namespace {ns}",
                $"route default via {gateway} dev eth0 added in network namespace {ns}",
                $"NAT rule added: DNAT tcp 127.0.0.1:{port} → {ip}:80",
            ];
            var at = expected.Select(e => Array.FindIndex(steps, s => s.StartsWith(e, StringComparison.Ordinal))).ToList();
            Assert.True(at.All(i => i >= 0), "missing: " + string.Join(" | ", expected.Where((e, i) => at[i] < 0)));
            Assert.Equal(at.Order(), at);

            // Scrub: the enslaving step marks the host veth and the bridge on the graph.
            var replay = page.Locator("[data-testid=timeline-replay]");
            await page.Locator("[data-testid=timeline-step]").Nth(at[4]).ClickAsync();
            await page.WaitForFunctionAsync("ids => { const m = new Set(window.netvizCy.elements('.nv-step').map(e => e.id())); return ids.every(i => m.has(i)); }",
                new[] { HostIf(hostVeth), HostIf("docker0") });
            await page.ClickAsync("[data-testid=timeline-next]");
            Assert.Equal((at[4] + 1).ToString(), await replay.GetAttributeAsync("data-step-index"));

            // Replay from the start: it walks every step to the last, marking the container first.
            await page.Locator("[data-testid=timeline-step]").Nth(0).ClickAsync();
            await page.WaitForFunctionAsync("id => window.netvizCy.getElementById(id).hasClass('nv-step')", "ctr:" + id);
            await page.ClickAsync("[data-testid=timeline-play]");
            await page.WaitForSelectorAsync($"[data-testid=timeline-replay][data-step-index='{steps.Length - 1}']");
            await Screenshots.SaveAsync(page, "classroom-timeline-replay");

            // Export: the same steps, numbered, as text.
            var episodeId = await replay.GetAttributeAsync("data-episode-id");
            var response = await context.APIRequest.GetAsync($"api/history?episode={episodeId}&format=text");
            Assert.True(response.Ok);
            var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < steps.Length; i++) Assert.Equal($"{i + 1}. {steps[i]}", lines[i + 1]);

            // And the API has it as data with the graph ids of each step.
            var history = JsonDocument.Parse(await (await context.APIRequest.GetAsync("api/history")).TextAsync());
            var kept = history.RootElement.GetProperty("episodes").EnumerateArray().Single(e => e.GetProperty("id").GetInt64().ToString() == episodeId);
            var enslaved = kept.GetProperty("entries").EnumerateArray().SelectMany(e => e.GetProperty("steps").EnumerateArray())
                .First(s => s.GetProperty("text").GetString()!.StartsWith($"{hostVeth} enslaved", StringComparison.Ordinal));
            Assert.Contains(HostIf(hostVeth), enslaved.GetProperty("elements").EnumerateArray().Select(e => e.GetString()));
            // With the cause: the Docker event that made NetViz look, naming the container.
            var causes = kept.GetProperty("entries").EnumerateArray().SelectMany(e => e.GetProperty("causes").EnumerateArray()).Select(c => c.GetString()).ToList();
            Assert.Contains(causes, c => c!.StartsWith($"docker container ", StringComparison.Ordinal) && c.EndsWith($" {id[..12]} ({name})", StringComparison.Ordinal));
        }
        finally
        {
            await context.CloseAsync();
            Run("docker", "rm", "-f", name);
        }
    }
}
