using System.Text.RegularExpressions;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Nat;

/// <summary>IptablesNatSource on the real host against iptables-save run independently.</summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class IptablesNatSourceIntegrationTests : IDisposable
{
    private const string Container = "nvnd-pub";

    public IptablesNatSourceIntegrationTests()
    {
        DockerCli.RequireEngine();
        DockerCli.RemoveContainers(Container);
    }

    public void Dispose() => DockerCli.RemoveContainers(Container);

    /// <summary>"-A CHAIN" line counts per chain, from plain iptables-save text.</summary>
    private static Dictionary<string, int> CountPerChain(string iptablesSave) =>
        iptablesSave.Split('\n')
            .Select(l => AppendLine().Match(l))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.Count());

    [GeneratedRegex(@"^(?:\[\d+:\d+\] )?-A (\S+)")]
    private static partial Regex AppendLine();

    /// <summary>
    /// Rules change beside the test (Docker, other work on the host): read the truth before and after the source and
    /// use an attempt where the truth did not move.
    /// </summary>
    private static Task<(NatView View, string Nat, string Filter)> StableCollectAsync(IptablesNatSource source) =>
        Eventually.PassesAsync("iptables-save unchanged around a collection", async () =>
        {
            var natBefore = DockerCli.Must("iptables-save", "-t", "nat");
            var filterBefore = DockerCli.Must("iptables-save", "-t", "filter");
            var view = await source.CollectAsync(CancellationToken.None);
            var natAfter = DockerCli.Must("iptables-save", "-t", "nat");
            var filterAfter = DockerCli.Must("iptables-save", "-t", "filter");
            Assert.Equal(StripComments(natBefore), StripComments(natAfter));
            Assert.Equal(StripComments(filterBefore), StripComments(filterAfter));
            return (view, natAfter, filterAfter);
        });

    private static string StripComments(string text) => string.Join('\n', text.Split('\n').Where(l => !l.StartsWith('#')));

    [Fact]
    public async Task Rule_counts_per_chain_and_backend_match_iptables_save()
    {
        var source = new IptablesNatSource();

        var (view, nat, filter) = await StableCollectAsync(source);

        Assert.True(view.Ok, view.Error);
        Assert.Empty(view.Warnings);
        Assert.Equal(CountPerChain(nat), view.Rules.GroupBy(r => r.Chain).ToDictionary(g => g.Key, g => g.Count()));
        Assert.Equal(CountPerChain(filter), view.FilterRules.GroupBy(r => r.Chain).ToDictionary(g => g.Key, g => g.Count()));
        Assert.All(view.Rules, r => Assert.Equal("nat", r.Table));
        Assert.All(view.FilterRules, r => Assert.Equal("filter", r.Table));

        var version = DockerCli.Must("iptables-save", "--version");
        Assert.Equal(version.Contains("(nf_tables)") ? "iptables-nft" : "iptables-legacy", view.Backend);
    }

    [Fact]
    public async Task Docker0_masquerade_rule_is_present()
    {
        var (view, nat, _) = await StableCollectAsync(new IptablesNatSource());
        var docker0Subnet = DockerCli.Docker("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Subnet}}");
        Assert.Equal("172.17.0.0/16", docker0Subnet);
        Assert.Contains($"-A POSTROUTING -s {docker0Subnet} ! -o docker0 -j MASQUERADE", nat);

        var masquerade = Assert.Single(view.Rules, r => r.Chain == "POSTROUTING" && r.Source == docker0Subnet && r.Target == "MASQUERADE" && r.OutInterface == "docker0");
        Assert.True(masquerade.OutInterfaceNegated);
        Assert.False(masquerade.SourceNegated);
    }

    [Fact]
    public async Task Published_port_appears_as_DNAT_to_the_container_ip()
    {
        var port = DockerCli.FreeLoopbackPort();
        DockerCli.Docker("run", "-d", "--label", DockerCli.Label, "--name", Container, "-p", $"127.0.0.1:{port}:80", DockerCli.Image, "httpd", "-f", "-p", "80");
        var ip = DockerCli.Docker("inspect", Container, "--format", "{{.NetworkSettings.Networks.bridge.IPAddress}}");
        Assert.Matches(@"^172\.17\.\d+\.\d+$", ip);

        var (view, nat, _) = await StableCollectAsync(new IptablesNatSource());

        Assert.True(view.Ok, view.Error);
        var expectedLine = $"-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport {port} -j DNAT --to-destination {ip}:80";
        Assert.Contains(expectedLine, nat);
        var dnat = Assert.Single(view.Rules, r => r.Target == "DNAT" && r.DestinationPort == port.ToString());
        Assert.Equal(expectedLine, dnat.Rule);
        Assert.Equal(("DOCKER", "127.0.0.1/32", "tcp", ip, 80), (dnat.Chain, dnat.Destination, dnat.Protocol, dnat.ToIp, dnat.ToPort));
        Assert.Equal(("docker0", true), (dnat.InInterface, dnat.InInterfaceNegated));
    }

    [Fact]
    public async Task A_non_root_iptables_save_is_refused_with_a_capability_hint()
    {
        // The real binary run as nobody through setpriv: the kernel refuses the netlink dump.
        var dir = Directory.CreateTempSubdirectory("nvnd-nonroot-").FullName;
        try
        {
            var wrapper = Path.Combine(dir, "iptables-save-as-nobody");
            var real = DockerCli.Must("sh", "-c", "command -v iptables-save");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups {real} \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            var truth = DockerCli.Run(wrapper, "-c", "-t", "nat");
            Assert.NotEqual(0, truth.ExitCode);

            var view = await new IptablesNatSource(wrapper).CollectAsync(CancellationToken.None);

            Assert.False(view.Ok);
            Assert.Contains($"exited with code {truth.ExitCode}", view.Error);
            Assert.Contains(truth.Stderr.Trim(), view.Error);
            Assert.Contains("CAP_NET_ADMIN", view.Error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
