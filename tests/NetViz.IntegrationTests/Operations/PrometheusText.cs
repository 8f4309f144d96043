using System.Globalization;
using System.Text;

namespace NetViz.IntegrationTests.Operations;

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a HELP or TYPE
/// line, a comment, or a sample of a family declared by a TYPE line before it; names, labels, escapes and values
/// are checked. Written here because no parser is served as a package; it throws <see cref="FormatException"/>
/// with the line number on anything else.
/// </summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private PrometheusText(IReadOnlyDictionary<string, string> types, IReadOnlyList<Sample> samples)
    {
        Types = types;
        Samples = samples;
    }

    /// <summary>Family name to its TYPE (counter, gauge, histogram, summary, untyped).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every given pair (0 when none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helped = new HashSet<string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        var lines = text.Split('\n');
        if (lines[^1].Length != 0) throw new FormatException("the exposition does not end with a line feed");
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var at = $"line {i + 1}: {line}";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    if (!IsMetricName(name)) throw new FormatException($"bad metric name in {at}");
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                            throw new FormatException($"bad TYPE in {at}");
                        if (sampled.Contains(name) || !types.TryAdd(name, parts[3]))
                            throw new FormatException($"TYPE after samples or twice in {at}");
                    }
                    else if (!helped.Add(name)) throw new FormatException($"HELP twice in {at}");
                }
                continue;
            }
            var sample = ParseSample(line, at);
            var family = FamilyOf(sample.Name, types) ?? throw new FormatException($"sample of an undeclared family in {at}");
            sampled.Add(family);
            if (types[family] == "histogram" && sample.Name.EndsWith("_bucket", StringComparison.Ordinal) && !sample.Labels.ContainsKey("le"))
                throw new FormatException($"histogram bucket without le in {at}");
            samples.Add(sample);
        }
        return new PrometheusText(types, samples);
    }

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name)) return name;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type is "histogram" or "summary")
                return name[..^suffix.Length];
        return null;
    }

    private static Sample ParseSample(string line, string at)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!IsMetricName(name)) throw new FormatException($"bad metric name in {at}");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var label = line[start..i];
                if (!IsLabelName(label) || i + 1 >= line.Length || line[i + 1] != '"') throw new FormatException($"bad label in {at}");
                i += 2;
                var value = new StringBuilder();
                for (; ; i++)
                {
                    if (i >= line.Length) throw new FormatException($"unterminated label value in {at}");
                    if (line[i] == '"') break;
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(i < line.Length ? line[i] switch
                        {
                            '\\' => '\\', '"' => '"', 'n' => '\n',
                            _ => throw new FormatException($"bad escape in {at}"),
                        } : throw new FormatException($"bad escape in {at}"));
                    }
                    else value.Append(line[i]);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"label twice in {at}");
                i++;
                if (i < line.Length && line[i] == ',') i++;
                if (i >= line.Length) throw new FormatException($"unterminated labels in {at}");
            }
            i++;
        }
        var rest = line[i..].Split(' ', StringSplitOptions.None);
        if (rest.Length is < 2 or > 3 || rest[0].Length != 0) throw new FormatException($"bad value in {at}");
        var number = rest[1] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException($"bad value in {at}"),
        };
        if (rest.Length == 3 && !long.TryParse(rest[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"bad timestamp in {at}");
        return new Sample(name, labels, number);
    }

    private static bool IsMetricName(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] is '_' or ':') && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
