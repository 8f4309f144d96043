using System.Text.Json;

namespace NetViz.Bench.Render;

/// <summary>One first render: ms since navigation start of each phase, and what was drawn.</summary>
internal sealed record FirstRender(double DomContentLoaded, double WebSocketOpen, double CyCreated, double ResetFrame,
    double ResetAddStart, double AddDuration, double LayoutDuration, double AddEndToLayoutStart, double LayoutStopToResetEnd, double ResetEnd, double FirstDraw, double Ready,
    int Nodes, int CyEdges, int SnapshotNodes, long PayloadBytes, string LayoutName, int FixtureNamespaces, int FixtureContainers,
    bool ExactlyVerified)
{
    /// <summary>From the probe's firstRender() JSON; <paramref name="apiSequence"/> is the sequence /api/topology answered with.</summary>
    public static FirstRender From(JsonElement e, int snapshotNodes, string? apiSequence)
    {
        double D(string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        return new FirstRender(D("domContentLoaded"), D("wsOpen"), D("cyCreated"), D("resetFrame"), D("resetAddStart"),
            D("addDuration"), D("layoutDuration"), D("addEndToLayoutStart"), D("layoutStopToResetEnd"), D("resetEnd"), D("firstDraw"), D("ready"),
            e.GetProperty("nodes").GetInt32(), e.GetProperty("edges").GetInt32(), snapshotNodes,
            e.GetProperty("payloadBytes").GetInt64(), e.GetProperty("layoutName").GetString() ?? "?",
            e.GetProperty("fixtureNamespaces").GetInt32(), e.GetProperty("fixtureContainers").GetInt32(),
            ExactlyVerified: e.GetProperty("sequence").GetString() == apiSequence);
    }
}

/// <summary>One diff on an open page: page-clock ms of each step, and end to end from the command in ms.</summary>
internal sealed record DiffResult(double Frame, double AddStart, double ApplyEnd, double Drawn, double Sequence, double EndToEnd);

/// <summary>One layout's reset() and applyDiff(+1 node) times over the rounds, in ms.</summary>
internal sealed record LayoutTiming(string Name, double[] Reset, double[] ApplyDiff);

/// <summary>One viewport motion: frame deltas in ms over the elapsed seconds.</summary>
internal sealed record MotionResult(string Label, double Zoom, double[] FrameDeltas, double Seconds, int LongTasks);

/// <summary>Self time per function of one profiled first render.</summary>
internal sealed record CpuProfile(double TotalMs, double BusyMs, IReadOnlyList<(string Function, double SelfMs)> Top);
