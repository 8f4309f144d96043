using System.Globalization;

namespace NetViz.Bench;

/// <summary>Order statistics of a sample of durations, in milliseconds (nearest-rank percentiles).</summary>
public sealed record Stats(int Count, double Min, double Median, double P95, double Max)
{
    public static Stats Of(IEnumerable<double> samples)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no samples", nameof(samples));
        return new Stats(sorted.Length, sorted[0], Percentile(sorted, 50), Percentile(sorted, 95), sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest sample with at least p% of the samples at or below it; the median of an even count is the mean of the two middle ones.</summary>
    private static double Percentile(double[] sorted, double p)
    {
        if (p == 50 && sorted.Length % 2 == 0) return (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={Count} min={Min:0.0} median={Median:0.0} p95={P95:0.0} max={Max:0.0} ms");
}

public static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg prints them.</summary>
    public static string LoadAverage()
    {
        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{parts[0]} {parts[1]} {parts[2]}";
    }

    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, " +
        $".NET {Environment.Version}, load average {LoadAverage()}";
}

/// <summary>--name value options after the verb.</summary>
public sealed class BenchArgs(string[] args)
{
    public bool Has(string flag) => args.Contains(flag);

    public int Int(string name, int fallback) =>
        Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, int[] fallback) =>
        Value(name) is { } v ? [.. v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : fallback;

    /// <summary>The value after <paramref name="name"/>, or null when the option is absent.</summary>
    public string? Text(string name) => Value(name);

    private string? Value(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
