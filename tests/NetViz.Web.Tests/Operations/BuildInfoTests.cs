using System.Diagnostics;
using NetViz.Web.Operations;

namespace NetViz.Web.Tests.Operations;

public sealed class BuildInfoTests
{
    [Fact]
    public void The_commit_baked_in_is_the_checkout_the_tests_were_built_from()
    {
        // Independent truth: git itself. The tests and the app are built from the same tree in one build.
        var psi = new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        using var git = Process.Start(psi)!;
        var head = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        Assert.Equal(head, BuildInfo.Commit);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", BuildInfo.Version);
        Assert.Equal($"netviz {BuildInfo.Version} (commit {head}, .NET {Environment.Version})", BuildInfo.Describe());
    }

    [Theory]
    [InlineData(new[] { "--version" }, true)]
    [InlineData(new[] { "-V" }, true)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5107" }, false)]
    [InlineData(new[] { "--version", "--urls", "x" }, false)]
    public void Only_the_version_switch_alone_prints_the_version(string[] args, bool expected) =>
        Assert.Equal(expected, BuildInfo.IsVersionRequest(args));
}
