using System.Security.Cryptography;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Operations;

/// <summary>The systemd unit as systemd itself checks it, and deploy/install.sh run twice into a throw-away root.</summary>
public sealed class DeployTests
{
    private static readonly string Repo = OperationsFixture.Repository;
    private static readonly string Unit = Path.Combine(Repo, "deploy", "systemd", "netviz.service");
    private static readonly string Install = Path.Combine(Repo, "deploy", "install.sh");

    [Fact]
    public void The_unit_passes_systemd_analyze_verify_and_grants_exactly_the_four_capabilities()
    {
        var (code, stdout, stderr) = DockerCli.Run("systemd-analyze", "verify", Unit);
        Assert.True(code == 0 && stderr.Trim().Length == 0 && stdout.Trim().Length == 0, $"systemd-analyze verify exited {code}:\n{stdout}\n{stderr}");

        var directives = File.ReadAllLines(Unit).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToLookup(p => p[0], p => p[1]);
        string[] capabilities = ["CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"];
        Assert.Equal(capabilities, Assert.Single(directives["AmbientCapabilities"]).Split(' ').Order());
        Assert.Equal(capabilities, Assert.Single(directives["CapabilityBoundingSet"]).Split(' ').Order());
        Assert.Equal("yes", Assert.Single(directives["NoNewPrivileges"]));
        Assert.Equal("strict", Assert.Single(directives["ProtectSystem"]));
        Assert.Equal("netviz", Assert.Single(directives["User"]));
        Assert.Equal("docker", Assert.Single(directives["SupplementaryGroups"]));
    }

    [Fact]
    public void The_install_script_is_idempotent_in_a_temporary_root_and_keeps_the_operators_settings()
    {
        var root = Directory.CreateTempSubdirectory("netviz-install-").FullName;
        try
        {
            var first = DockerCli.Run("bash", Install, "--root", root);
            Assert.True(first.ExitCode == 0, $"install exited {first.ExitCode}:\n{first.Stdout}\n{first.Stderr}");
            var afterFirst = Tree(root);

            var second = DockerCli.Run("bash", Install, "--root", root);
            Assert.True(second.ExitCode == 0, $"second install exited {second.ExitCode}:\n{second.Stdout}\n{second.Stderr}");
            Assert.Equal("install: nothing to change", second.Stdout.Trim());
            Assert.Equal(afterFirst, Tree(root));

            // What was installed, against the repository and systemd's own view.
            var published = DockerCli.Must(Path.Combine(Repo, "scripts", "publish.sh")).Split('\n')[^1];
            Assert.Equal(Sha256(Path.Combine(published, "NetViz.Web.dll")), Sha256(Path.Combine(root, "opt/netviz/NetViz.Web.dll")));
            Assert.Equal(File.ReadAllText(Unit), File.ReadAllText(Path.Combine(root, "etc/systemd/system/netviz.service")));
            Assert.Equal("enabled", DockerCli.Run("systemctl", "--root", root, "is-enabled", "netviz.service").Stdout.Trim());
            Assert.Equal("/etc/systemd/system/netviz.service",
                new FileInfo(Path.Combine(root, "etc/systemd/system/multi-user.target.wants/netviz.service")).LinkTarget);
            var user = Assert.Single(File.ReadAllLines(Path.Combine(root, "etc/passwd")), l => l.StartsWith("netviz:", StringComparison.Ordinal)).Split(':');
            Assert.Equal(("/var/lib/netviz", "/usr/sbin/nologin"), (user[5], user[6]));
            Assert.Contains(File.ReadAllLines(Path.Combine(root, "etc/group")), l => l.StartsWith("docker:", StringComparison.Ordinal));

            // The settings file is the operator's from now on.
            var settings = Path.Combine(root, "etc/netviz/netviz.env");
            File.AppendAllText(settings, "URLS=http://0.0.0.0:5000\n");
            var edited = File.ReadAllText(settings);
            var third = DockerCli.Run("bash", Install, "--root", root);
            Assert.Equal("install: nothing to change", third.Stdout.Trim());
            Assert.Equal(edited, File.ReadAllText(settings));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Every path under the root with its kind, mode, owner, size and content hash (or link target).</summary>
    private static List<string> Tree(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
        {
            var info = new FileInfo(path);
            var stat = DockerCli.Must("stat", "-c", "%F %a %U:%G %s", path);
            var content = info.LinkTarget ?? (info.Attributes.HasFlag(FileAttributes.Directory) ? "" : Sha256(path));
            return $"{Path.GetRelativePath(root, path)} {stat} {content}";
        })];

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }
}
