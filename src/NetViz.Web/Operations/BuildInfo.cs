using System.Reflection;

namespace NetViz.Web.Operations;

/// <summary>
/// The version and commit baked in at build time: the SDK's SourceLink support appends the git commit to
/// AssemblyInformationalVersion ("0.1.0+3f2c..."); a build outside a git checkout can pass -p:SourceRevisionId=SHA.
/// </summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BuildInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>The semantic version, without build metadata ("0.1.0").</summary>
    public static string Version { get; } = Informational.Split('+', 2)[0];

    /// <summary>The git commit the build was made from, or null when the build did not know it.</summary>
    public static string? Commit { get; } = Informational.Split('+', 2) is [_, { Length: > 0 } commit] ? commit : null;

    /// <summary>True for <c>--version</c> (alone), which prints <see cref="Describe"/> instead of starting the server.</summary>
    public static bool IsVersionRequest(string[] args) => args is ["--version"] or ["-V"];

    /// <summary>"netviz 0.1.0 (commit 3f2c..., .NET 10.0.1)".</summary>
    public static string Describe() => $"netviz {Version} (commit {Commit ?? "unknown"}, .NET {Environment.Version})";
}
