using System.Diagnostics;
using System.Globalization;

namespace NetViz.Bench;

/// <summary>What /proc says about a process (the app under measurement).</summary>
public static class ProcessStats
{
    /// <summary>utime, stime, cutime, cstime from /proc/PID/stat, in clock ticks (proc(5)).</summary>
    public static (long OwnTicks, long ChildrenTicks) CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may itself contain spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long F(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return (F(14) + F(15), F(16) + F(17));
    }

    /// <summary>
    /// CPU time of a process and of its waited-for children (utime+stime, cutime+cstime) over <paramref name="duration"/>,
    /// as percent of one core.
    /// </summary>
    public static async Task<CpuUse> MeasureCpuAsync(int pid, TimeSpan duration)
    {
        var clockTicks = long.Parse((await Commands.CheckedAsync("getconf", "CLK_TCK")).Trim(), CultureInfo.InvariantCulture);
        var before = CpuTicks(pid);
        var watch = Stopwatch.StartNew();
        await Task.Delay(duration);
        var after = CpuTicks(pid);
        return new CpuUse(after.OwnTicks - before.OwnTicks, after.ChildrenTicks - before.ChildrenTicks, clockTicks, watch.Elapsed);
    }

    /// <summary>A line of /proc/PID/status in kB, e.g. VmRSS or VmHWM.</summary>
    public static long StatusKilobytes(int pid, string key)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

/// <summary>CPU ticks spent over <see cref="Elapsed"/> (ticks of 1/<see cref="ClockTicks"/> s) and what they are in % of one core.</summary>
public sealed record CpuUse(long OwnTicks, long ChildrenTicks, long ClockTicks, TimeSpan Elapsed)
{
    public double OwnPercent => Percent(OwnTicks);
    public double ChildrenPercent => Percent(ChildrenTicks);
    private double Percent(long ticks) => ticks / (double)ClockTicks / Elapsed.TotalSeconds * 100;
}
