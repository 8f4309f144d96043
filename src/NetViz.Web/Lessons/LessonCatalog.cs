using System.Collections.Immutable;
using System.Globalization;

namespace NetViz.Web.Lessons;

/// <summary>
/// Finds the lesson for a language: <c>NetViz:LessonsPath</c> (default: the Lessons folder beside the app), one
/// sub-folder per language (en, ko), English when a language has none. Read at every call: a teacher's edit shows
/// on the next opening, without a rebuild or restart.
/// </summary>
public sealed class LessonCatalog(IConfiguration configuration)
{
    public string Root => configuration["NetViz:LessonsPath"] is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "Lessons");

    /// <summary>The steps, or the error (naming the file) that stopped reading them.</summary>
    public LessonLoad Load(CultureInfo culture)
    {
        var language = culture.TwoLetterISOLanguageName;
        var folder = Path.Combine(Root, language);
        if (!Directory.Exists(folder)) folder = Path.Combine(Root, "en");
        try
        {
            return new LessonLoad(LessonLoader.LoadFolder(folder), null);
        }
        catch (LessonFormatException e)
        {
            return new LessonLoad([], e.Message);
        }
        catch (IOException e)
        {
            return new LessonLoad([], $"{folder}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return new LessonLoad([], $"{folder}: {e.Message}");
        }
    }
}

/// <summary>A lesson read from its files, or why it could not be.</summary>
public sealed record LessonLoad(ImmutableArray<LessonStep> Steps, string? Error);
