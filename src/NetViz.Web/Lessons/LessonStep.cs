using System.Collections.Immutable;

namespace NetViz.Web.Lessons;

/// <summary>
/// One step of the lesson as a teacher wrote it (Lessons/&lt;lang&gt;/NN-name.md): what to find on the live host
/// (<see cref="Find"/>, one of <see cref="LessonTargets.Kinds"/>), the explanation, and commands whose
/// <c>{placeholders}</c> are filled with the real, shell-quoted values.
/// </summary>
public sealed record LessonStep
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Find { get; init; }
    /// <summary>The <c>./lab.sh</c> command that builds an example when the host has none.</summary>
    public required string Lab { get; init; }
    public ImmutableArray<string> Commands { get; init; } = [];
    /// <summary>Paragraphs; <c>`code`</c> spans are shown as code.</summary>
    public ImmutableArray<string> Paragraphs { get; init; } = [];
    /// <summary>The file it came from (for errors and the teacher).</summary>
    public required string File { get; init; }
}

/// <summary>A lesson file that cannot be read as a step: the message names the file and the line.</summary>
public sealed class LessonFormatException(string file, string message) : Exception($"{Path.GetFileName(file)}: {message}")
{
    public string File { get; } = file;
}
