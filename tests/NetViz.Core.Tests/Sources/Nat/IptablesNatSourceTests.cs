using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>The source against stand-in binaries: a missing path, a failing one, a malformed dump, a hung one.</summary>
public sealed class IptablesNatSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nvnd-iptables-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task Missing_binary_is_reported_not_thrown()
    {
        var source = new IptablesNatSource(Path.Combine(_dir, "no-such-iptables-save"));

        var view = await source.CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.StartsWith("iptables-save not found", view.Error);
        Assert.Contains("install iptables", view.Error);
        Assert.Empty(view.Rules);
    }

    [Fact]
    public async Task Nonzero_exit_reports_stderr_and_capability_hint()
    {
        var path = Script("denied", """
            case "$1" in --version) echo "iptables-save v1.8.9 (legacy)"; exit 0;; esac
            echo "iptables-save v1.8.9 (legacy): Cannot initialize: Permission denied (you must be root)" >&2
            exit 1
            """);

        var view = await new IptablesNatSource(path).CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Equal("iptables-legacy", view.Backend);
        Assert.Contains("exited with code 1", view.Error);
        Assert.Contains("Permission denied (you must be root)", view.Error);
        Assert.Contains("CAP_NET_ADMIN", view.Error);
    }

    [Fact]
    public async Task Malformed_output_keeps_good_rules_and_warns_with_line_numbers_with_arguments_passed_as_a_list()
    {
        // One iptables-save -c run prints every table: the script refuses any other arguments (proves "-c" arrived
        // as its own argument), and prints one good rule and one malformed line per table.
        var path = Script("malformed", """
            if [ "$1" = "--version" ]; then echo "iptables-save v1.8.9 (nf_tables)"; exit 0; fi
            [ "$1" = "-c" ] && [ "$#" = 1 ] || { echo "bad args: $*" >&2; exit 2; }
            for t in nat filter; do
            echo "*$t"
            echo ":FORWARD ACCEPT [5:300]"
            echo "[5:300] -A FORWARD -m comment --comment \"table $t\" -j ACCEPT"
            echo "[1:2] -A FORWARD -p"
            echo "COMMIT"
            done
            """);

        var view = await new IptablesNatSource(path).CollectAsync(CancellationToken.None);

        Assert.True(view.Ok, view.Error);
        Assert.Equal("iptables-nft", view.Backend);
        var nat = Assert.Single(view.Rules);
        Assert.Equal(("nat", "FORWARD", 1, "table nat", 5L, 300L), (nat.Table, nat.Chain, nat.Position, nat.Comment, nat.Packets, nat.Bytes));
        var filter = Assert.Single(view.FilterRules);
        Assert.Equal(("filter", "table filter"), (filter.Table, filter.Comment));
        Assert.Equal(["nat/FORWARD", "filter/FORWARD"], view.Chains.Select(c => $"{c.Table}/{c.Name}"));
        Assert.Equal<string>(
            ["line 4: option -p without a value: [1:2] -A FORWARD -p", "line 9: option -p without a value: [1:2] -A FORWARD -p"],
            view.Warnings);
    }

    [Fact]
    public async Task A_failure_that_is_not_about_privileges_does_not_blame_root()
    {
        var path = Script("broken", """
            case "$1" in --version) echo "iptables-save v1.8.9 (nf_tables)"; exit 0;; esac
            echo "iptables-save: line 1: Could not fetch rule set generation id: Invalid argument" >&2
            exit 4
            """);

        var view = await new IptablesNatSource(path).CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Equal($"{path} -c exited with code 4: iptables-save: line 1: Could not fetch rule set generation id: Invalid argument", view.Error);
        Assert.DoesNotContain("root", view.Error);
        Assert.DoesNotContain("CAP_NET_ADMIN", view.Error);
    }

    [Fact]
    public async Task Garbage_output_marks_nat_degraded_with_the_reason_not_ok()
    {
        var path = Script("garbage", """
            case "$1" in --version) echo "iptables-save v1.8.9 (nf_tables)"; exit 0;; esac
            i=0; while [ $i -lt 300 ]; do echo "garbage line $i"; i=$((i+1)); done
            echo "*nat"; echo ":POSTROUTING ACCEPT [0:0]"; echo "-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE"; echo "COMMIT"
            """);

        var view = await new IptablesNatSource(path).CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.True(view.Degraded);
        Assert.Equal($"NAT rules unreliable: 300 of 304 lines of {path} -c could not be parsed (is it iptables-save?).", view.Error);
        Assert.Single(view.Rules); // what could be read is still shown
        Assert.Equal(21, view.Warnings.Length);
    }

    [Fact]
    public async Task Output_beyond_the_rule_limit_is_cut_the_child_killed_and_nat_degraded()
    {
        // Prints rules for ever: only a reader that stops (and kills it) returns.
        var path = Script("endless", """
            case "$1" in --version) echo "iptables-save v1.8.9 (nf_tables)"; exit 0;; esac
            echo "*nat"; echo ":POSTROUTING ACCEPT [0:0]"
            while :; do echo "[1:60] -A POSTROUTING -s 10.1.2.3/32 -j MASQUERADE"; done
            """);

        var view = await new IptablesNatSource(path, TimeSpan.FromSeconds(30), IptablesSaveLimits.Default with { MaxRules = 500 })
            .CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.True(view.Degraded);
        Assert.Equal("NAT rules incomplete: more than 500 rules: only the first 500 were read.", view.Error);
        Assert.Equal(500, view.Rules.Length);
    }

    [Fact]
    public async Task A_hung_binary_times_out_with_a_reason()
    {
        var path = Script("hang", "exec sleep 30");

        var view = await new IptablesNatSource(path, TimeSpan.FromMilliseconds(300)).CollectAsync(CancellationToken.None);

        Assert.False(view.Ok);
        Assert.Contains("did not finish within", view.Error);
    }

    [Theory]
    [InlineData("iptables-save v1.8.9 (nf_tables)\n", "iptables-nft")]
    [InlineData("iptables-save v1.8.7 (legacy)\n", "iptables-legacy")]
    [InlineData("iptables-save v1.4.21\n", null)]
    public void Backend_from_version(string text, string? backend) =>
        Assert.Equal(backend, IptablesNatSource.BackendFromVersion(text));
}
