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

    [Theory]
    [InlineData("iptables-save", "ip6tables-save")]
    [InlineData("/usr/sbin/iptables-legacy-save", "/usr/sbin/ip6tables-legacy-save")]
    [InlineData("/tmp/stand-in", null)]
    public void The_ip6tables_twin_is_found_beside_the_iptables_binary(string iptables, string? expected) =>
        Assert.Equal(expected, IptablesNatSource.Ip6Sibling(iptables));

    [Fact]
    public void Only_iptables_nft_itself_is_taken_to_print_the_hosts_nftables()
    {
        var dir = Directory.CreateTempSubdirectory("netviz-iptables-own-").FullName;
        try
        {
            // As Debian installs it: iptables-save -> iptables-nft-save -> xtables-nft-multi.
            File.WriteAllText(Path.Combine(dir, "xtables-nft-multi"), "");
            File.CreateSymbolicLink(Path.Combine(dir, "iptables-nft-save"), "xtables-nft-multi");
            File.CreateSymbolicLink(Path.Combine(dir, "iptables-save"), Path.Combine(dir, "iptables-nft-save"));
            Assert.True(IptablesNatSource.IsIptablesOwn(Path.Combine(dir, "iptables-save")));
            Assert.True(IptablesNatSource.IsIptablesOwn(Path.Combine(dir, "iptables-nft-save")));
            // A stand-in script under iptables' name, one under another name, a program that is not there.
            var standIn = Directory.CreateDirectory(Path.Combine(dir, "stand-in")).FullName;
            File.WriteAllText(Path.Combine(standIn, "iptables-save"), "#!/bin/sh\nexec /usr/sbin/iptables-save \"$@\"\n");
            Assert.False(IptablesNatSource.IsIptablesOwn(Path.Combine(standIn, "iptables-save")));
            Assert.False(IptablesNatSource.IsIptablesOwn(Path.Combine(dir, "xtables-nft-multi-wrapper")));
            Assert.False(IptablesNatSource.IsIptablesOwn(Path.Combine(dir, "missing", "iptables-save")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Ipv6_rules_come_from_ip6tables_save_with_family_6_and_its_failure_is_its_own()
    {
        var v4 = Script("v4", """
            if [ "$1" = "--version" ]; then echo "iptables-save v1.8.9 (nf_tables)"; exit 0; fi
            printf '*nat\n:POSTROUTING ACCEPT [0:0]\n[1:60] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n'
            """);
        var v6 = Script("v6", """
            [ "$1" = "-c" ] || exit 2
            printf '*nat\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n[2:120] -A POSTROUTING -s fd00:db8:1::/64 ! -o docker0 -j MASQUERADE\n'
            printf '[0:0] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:db8:1::2]:80\nCOMMIT\n'
            printf '*filter\n:FORWARD DROP [0:0]\n[0:0] -A FORWARD -j DOCKER-USER\nCOMMIT\n'
            """);
        var refusing = Script("v6-refusing", """
            echo "ip6tables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)" >&2
            exit 1
            """);

        var view = await new IptablesNatSource(v4, ip6tablesSavePath: v6).CollectAsync(CancellationToken.None);
        var refused = await new IptablesNatSource(v4, ip6tablesSavePath: refusing).CollectAsync(CancellationToken.None);
        var notAsked = await new IptablesNatSource(v4, ip6tablesSavePath: "").CollectAsync(CancellationToken.None);

        Assert.True(view.Ok, view.Error);
        Assert.Equal(4, Assert.Single(view.Rules).Family);
        Assert.Equal([("POSTROUTING", "MASQUERADE", 6, 2L), ("DOCKER", "DNAT", 6, 0L)], view.Ip6Rules.Select(r => (r.Chain, r.Target!, r.Family, r.Packets)));
        Assert.Equal(("fd00:db8:1::2", 80), (view.Ip6Rules[1].ToIp, view.Ip6Rules[1].ToPort));
        Assert.Equal(("filter", 6), (Assert.Single(view.Ip6FilterRules).Table, view.Ip6FilterRules[0].Family));
        Assert.All(view.Ip6Chains, c => Assert.Equal(6, c.Family));
        Assert.Null(view.Ip6Error);

        Assert.True(refused.Ok);
        Assert.Single(refused.Rules);
        Assert.Empty(refused.Ip6Rules);
        Assert.Contains("Permission denied", refused.Ip6Error);
        Assert.Contains("CAP_NET_ADMIN", refused.Ip6Error);

        Assert.Null(notAsked.Ip6Error);
        Assert.Empty(notAsked.Ip6Rules);
    }
}
