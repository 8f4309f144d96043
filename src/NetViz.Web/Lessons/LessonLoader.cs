using System.Collections.Immutable;

namespace NetViz.Web.Lessons;

/// <summary>
/// Reads a lesson from a folder of Markdown files, one per step, in file-name order (01-none.md, 02-host.md, ...).
/// Each starts with a header between two <c>---</c> lines:
/// <code>
/// ---
/// title: --network none: a namespace with only lo
/// find: none
/// lab: ./lab.sh up
/// commands:
///   - nsenter --target {pid} --net ip link
/// ---
/// Plain paragraphs, separated by blank lines; `code` in backticks.
/// </code>
/// Files are read when the lesson opens, so a teacher edits them without rebuilding NetViz. Bounded: at most
/// <see cref="MaxSteps"/> files of <see cref="MaxFileBytes"/> each.
/// </summary>
public static class LessonLoader
{
    public const int MaxSteps = 50;
    public const int MaxFileBytes = 64 * 1024;

    public static ImmutableArray<LessonStep> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new LessonFormatException(folder, "the lesson folder does not exist");
        var files = Directory.GetFiles(folder, "*.md").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new LessonFormatException(folder, "the lesson folder holds no .md step");
        if (files.Count > MaxSteps) throw new LessonFormatException(folder, $"more than {MaxSteps} steps");
        return [.. files.Select(LoadFile)];
    }

    public static LessonStep LoadFile(string file)
    {
        var info = new FileInfo(file);
        if (info.Length > MaxFileBytes) throw new LessonFormatException(file, $"larger than {MaxFileBytes} bytes");
        return Parse(File.ReadAllText(file), file);
    }

    public static LessonStep Parse(string text, string file)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---") throw new LessonFormatException(file, "line 1: a step starts with a '---' header line");
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var commands = ImmutableArray.CreateBuilder<string>();
        var i = 1;
        var inCommands = false;
        for (; i < lines.Length && lines[i].Trim() != "---"; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0) continue;
            if (inCommands && line.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            {
                commands.Add(line.TrimStart()[2..].Trim());
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || char.IsWhiteSpace(line[0]))
                throw new LessonFormatException(file, $"line {i + 1}: expected 'key: value' in the header, got '{Cut(line)}'");
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            inCommands = key == "commands";
            if (inCommands) continue;
            if (key is not ("id" or "title" or "find" or "lab"))
                throw new LessonFormatException(file, $"line {i + 1}: unknown header key '{Cut(key)}' (id, title, find, lab, commands)");
            header[key] = value;
        }
        if (i >= lines.Length) throw new LessonFormatException(file, "the header has no closing '---' line");
        foreach (var required in new[] { "title", "find" })
            if (!header.TryGetValue(required, out var v) || v.Length == 0)
                throw new LessonFormatException(file, $"the header has no '{required}:'");
        if (!LessonTargets.Kinds.Contains(header["find"]))
            throw new LessonFormatException(file, $"find: '{Cut(header["find"])}' is not one of {string.Join(", ", LessonTargets.Kinds)}");

        var paragraphs = ImmutableArray.CreateBuilder<string>();
        var current = new List<string>();
        foreach (var line in lines.Skip(i + 1))
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0) paragraphs.Add(string.Join(" ", current));
                current.Clear();
            }
            else current.Add(line.Trim());
        }
        if (current.Count > 0) paragraphs.Add(string.Join(" ", current));

        return new LessonStep
        {
            Id = header.GetValueOrDefault("id") is { Length: > 0 } id ? id : Path.GetFileNameWithoutExtension(file),
            Title = header["title"],
            Find = header["find"],
            Lab = header.GetValueOrDefault("lab") is { Length: > 0 } lab ? lab : "./lab.sh up",
            Commands = commands.ToImmutable(),
            Paragraphs = paragraphs.ToImmutable(),
            File = file,
        };
    }

    private static string Cut(string s) => s.Length <= 60 ? s : s[..59] + "…";
}
