using System.Globalization;
using System.Text;

namespace NetViz.Bench.Render;

/// <summary>The render benchmark's markdown report (docs/benchmarks-render.md is made of these tables).</summary>
internal sealed class RenderReport
{
    private readonly StringBuilder _text = new();

    public void Line(string text = "") => _text.AppendLine(text);

    public override string ToString() => _text.ToString();

    /// <summary>Nearest rank: with 7 runs p95 is the slowest run.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public void ScenarioHeader(string title, int nodes, int edges)
    {
        Line($"### {title}");
        Line();
        Line($"snapshot: {nodes} nodes, {edges} edges in /api/topology (whole host, incl. other processes' namespaces/containers); load average: {Machine.LoadAverage()}");
        Line();
    }

    public void FirstRenders(IReadOnlyList<FirstRender> firsts, RenderOptions options)
    {
        Line($"First complete render, {firsts.Count} runs, each in a fresh browser context (cold HTTP cache), viewport {options.Width}x{options.Height}; ms since navigation start:");
        Line();
        Line("| phase (ms from navigation start) | median | p95 | min | max |");
        Line("| --- | ---: | ---: | ---: | ---: |");
        Row("DOMContentLoaded", firsts.Select(f => f.DomContentLoaded));
        Row("Blazor websocket open", firsts.Select(f => f.WebSocketOpen));
        Row("graph instance created (module imported)", firsts.Select(f => f.CyCreated));
        Row("reset payload frame received", firsts.Select(f => f.ResetFrame));
        Row("reset(): cy.add start (after JSON parse)", firsts.Select(f => f.ResetAddStart));
        Row("reset() returned (incl. layout)", firsts.Select(f => f.ResetEnd));
        Row("first frame drawn after reset", firsts.Select(f => f.FirstDraw));
        Row("**data-graph-ready=\"true\" + node count = snapshot**", firsts.Select(f => f.Ready));
        Line();
        Line("| inside reset() (ms) | median | p95 | min | max |");
        Line("| --- | ---: | ---: | ---: | ---: |");
        Row("frame received -> cy.add start (interop JSON parse + dispatch)", firsts.Select(f => f.ResetAddStart - f.ResetFrame));
        Row("cy.add of all elements", firsts.Select(f => f.AddDuration));
        Row("cy.add end -> layoutstart (filter classes, layout constraints + computation: fcose computes before it emits layoutstart)", firsts.Select(f => f.AddEndToLayoutStart));
        Row("layoutstart -> layoutstop (positions applied)", firsts.Select(f => f.LayoutDuration));
        Row("layoutstop -> reset() returned", firsts.Select(f => f.LayoutStopToResetEnd));
        Row("whole reset() call", firsts.Select(f => f.ResetEnd - f.ResetAddStart));
        Line();
        var last = firsts[^1];
        Line($"reset payload: {last.PayloadBytes / 1024} KiB websocket frame; graph: {last.Nodes} nodes, {last.CyEdges} edges in Cytoscape; layout `{last.LayoutName}`. "
            + $"Node count checked equal to the drawn nodes of /api/topology (all but non-translating NAT rules and bridgeless networks, as CytoscapeElementMapper.IsDrawn) in {firsts.Count(f => f.ExactlyVerified)} of {firsts.Count} runs (the others: the host changed before the check; all {RenderFixtures.Prefix} fixtures were in the graph in every run).");
        Line();
    }

    public void Diffs(IReadOnlyList<DiffResult> diffs, DiffKind kind)
    {
        var what = kind == DiffKind.Container ? "`docker run -d` of one more container" : "one more `ip netns add` + veth to the bridge";
        Line($"One diff ({what}), {diffs.Count} runs on an open page; ms:");
        Line();
        Line("| interval (ms) | median | p95 | min | max |");
        Line("| --- | ---: | ---: | ---: | ---: |");
        Row("diff frame received -> cy.add start (JSON parse + dispatch)", diffs.Select(d => d.AddStart - d.Frame));
        Row("**diff frame received -> applyDiff returned** (parse, remove/add/patch, placement)", diffs.Select(d => d.ApplyEnd - d.Frame));
        Row("**diff frame received -> next frame drawn with the node**", diffs.Select(d => d.Drawn - d.Frame));
        Row("diff frame received -> data-sequence updated (Blazor round trip)", diffs.Select(d => d.Sequence - d.Frame));
        Row("command started -> diff frame received (kernel/docker event, collect, diff, batch, send)", diffs.Select(d => d.EndToEnd - (d.Drawn - d.Frame)));
        Row("command started -> node drawn (end to end)", diffs.Select(d => d.EndToEnd));
        Line();
    }

    public void Layouts(IReadOnlyList<LayoutTiming> layouts)
    {
        Line("The same elements through the graph module directly (a second, hidden instance in the same page, loopbacks hidden as the page does), per layout; ms (3 rounds, 1 above 1000 nodes):");
        Line();
        Line("| layout | reset() median | reset() max | applyDiff(+1 namespace node) median | applyDiff max |");
        Line("| --- | ---: | ---: | ---: | ---: |");
        foreach (var l in layouts)
            Line(string.Create(CultureInfo.InvariantCulture,
                $"| {l.Name} | {Percentile(l.Reset, 50):F0} | {l.Reset[^1]:F0} | {Percentile(l.ApplyDiff, 50):F1} | {l.ApplyDiff[^1]:F1} |"));
        Line();
    }

    public void Motions(IReadOnlyList<MotionResult> motions)
    {
        Line("Pan and zoom (viewport moved every animation frame; frame time = requestAnimationFrame delta; headless Chromium, software rendering, `--disable-gpu`):");
        Line();
        Line("| motion | zoom | frames | median frame ms | p95 frame ms | max frame ms | fps | long tasks (>50 ms) |");
        Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var m in motions)
        {
            var d = m.FrameDeltas;
            Line(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Label} | {m.Zoom:F2} | {d.Length} | {Percentile(d, 50):F1} | {Percentile(d, 95):F1} | {d[^1]:F1} | {d.Length / m.Seconds:F0} | {m.LongTasks} |"));
        }
        Line();
    }

    public void Profile(CpuProfile profile)
    {
        Line(string.Create(CultureInfo.InvariantCulture,
            $"CPU profile of one first render (navigation to data-graph-ready, unminified module, 1 ms sampling): {profile.TotalMs:F0} ms profiled, {profile.BusyMs:F0} ms in JS/GC. Top self time:"));
        Line();
        Line("| function (file:line in the unminified bundle) | self ms | share of busy |");
        Line("| --- | ---: | ---: |");
        foreach (var (name, ms) in profile.Top)
            Line(string.Create(CultureInfo.InvariantCulture, $"| `{name.Replace("|", "\\|")}` | {ms:F0} | {100 * ms / Math.Max(profile.BusyMs, 1):F0}% |"));
        Line();
    }

    private void Row(string name, IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            Line($"| {name} | n/a | n/a | n/a | n/a |");
            return;
        }
        Line(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Percentile(v, 50):F0} | {Percentile(v, 95):F0} | {v[0]:F0} | {v[^1]:F0} |"));
    }
}
