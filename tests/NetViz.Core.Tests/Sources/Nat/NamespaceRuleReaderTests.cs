using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Sources;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

/// <summary>When a namespace's rules are read: new, changed, young, old; never for a steady namespace on every poll.</summary>
public class NamespaceRuleReaderTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-29T08:00:00Z"));
    private readonly List<string> _reads = [];

    private NamespaceRuleReader Reader() => new((path, _) =>
    {
        _reads.Add(path);
        return Task.FromResult(new NamespaceRuleRead(
        [
            new NatRule { Table = "nat", Chain = "DOCKER_OUTPUT", Position = 1, Target = "DNAT", Rule = $"-A DOCKER_OUTPUT -d 127.0.0.11/32 -j DNAT ({path})" },
        ], path.EndsWith("broken", StringComparison.Ordinal) ? "exited with code 1" : null));
    }, _time);

    private static NetworkNamespaceView Ns(ulong inode, string path, bool isHost = false) => new()
    {
        Inode = inode, IsHost = isHost, Paths = [path], Addresses = [], Routes = [],
        Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback", Up = true }, new LinkInfo { Index = 5, Name = "eth0", Type = "veth", Up = true }],
    };

    private static HostNetworkView View(params NetworkNamespaceView[] namespaces) => new()
    {
        Ok = true, Error = null, HostInode = 1, Namespaces = [Ns(1, "/proc/self/ns/net", isHost: true), .. namespaces],
    };

    [Fact]
    public async Task New_namespaces_are_read_once_settled_ones_only_when_changed_or_old()
    {
        var reader = Reader();
        var view = View(Ns(10, "/var/run/docker/netns/a"), Ns(11, "/var/run/docker/netns/b"), Ns(12, "/var/run/netns/mine"));

        var first = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b", "/var/run/netns/mine"], _reads); // the host's are not read here
        Assert.Equal([10UL, 11UL, 12UL], first.Rules.Select(r => r.NetnsInode!.Value));

        // Young: Docker writes its rules just after its namespaces appear, so those are read again for a while; an
        // ip netns namespace is not.
        _time.Advance(TimeSpan.FromSeconds(5));
        _reads.Clear();
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b"], _reads);

        // Settled: no process per poll.
        _time.Advance(NamespaceRuleReader.YoungFor);
        _reads.Clear();
        var steady = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Empty(_reads);
        Assert.Equal<NatRule>([.. first.Rules], [.. steady.Rules]);

        // Netlink said b changed: only b.
        await reader.ReadAsync(view, new HashSet<ulong> { 11 }, CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/b"], _reads);

        // Old readings are refreshed.
        _reads.Clear();
        _time.Advance(NamespaceRuleReader.RefreshEvery);
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/docker/netns/a", "/var/run/docker/netns/b", "/var/run/netns/mine"], _reads.Order());
    }

    [Fact]
    public async Task A_namespace_with_only_loopback_is_not_entered()
    {
        var reader = Reader();
        var loOnly = Ns(13, "/var/run/netns/empty") with { Links = [new LinkInfo { Index = 1, Name = "lo", Type = "loopback", Up = true }] };

        var read = await reader.ReadAsync(View(loOnly, Ns(10, "/a")), new HashSet<ulong>(), CancellationToken.None);

        Assert.Equal(["/a"], _reads);
        Assert.Equal([10UL], read.Rules.Select(r => r.NetnsInode!.Value));
    }

    [Fact]
    public async Task A_vanished_namespace_drops_its_rules_and_a_failure_is_a_warning()
    {
        var reader = Reader();
        await reader.ReadAsync(View(Ns(10, "/a"), Ns(12, "/broken")), new HashSet<ulong>(), CancellationToken.None);

        var after = await reader.ReadAsync(View(Ns(12, "/broken")), new HashSet<ulong>(), CancellationToken.None);

        Assert.Equal([12UL], after.Rules.Select(r => r.NetnsInode!.Value));
        Assert.Equal<string>(["rules of netns 12: exited with code 1"], after.Warnings);
    }

    [Fact]
    public async Task At_most_a_bounded_number_of_namespaces_is_read_per_call_and_the_rest_next_time()
    {
        var reader = Reader();
        var many = Enumerable.Range(100, NamespaceRuleReader.MaxReadsPerCall + 4).Select(i => Ns((ulong)i, $"/ns/{i}")).ToArray();

        var first = await reader.ReadAsync(View(many), new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(NamespaceRuleReader.MaxReadsPerCall, _reads.Count);
        Assert.Equal(NamespaceRuleReader.MaxReadsPerCall, first.Rules.Length);

        _time.Advance(NamespaceRuleReader.YoungFor); // the first ones are settled; the four never read come first
        _reads.Clear();
        var second = await reader.ReadAsync(View(many), new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(Enumerable.Range(100 + NamespaceRuleReader.MaxReadsPerCall, 4).Select(i => $"/ns/{i}"), _reads);
        Assert.Equal(many.Length, second.Rules.Length);
    }
    [Fact]
    public async Task With_nftables_generations_an_old_reading_is_read_again_only_when_its_generation_moved()
    {
        var generations = new Dictionary<string, uint?> { ["/var/run/netns/a"] = 7, ["/var/run/netns/b"] = 3, ["/var/run/netns/legacy"] = null };
        var asked = new List<string>();
        var reader = new NamespaceRuleReader((path, _) =>
        {
            _reads.Add(path);
            return Task.FromResult(new NamespaceRuleRead([new NatRule { Table = "nat", Chain = "OUTPUT", Position = 1, Target = "DNAT", Rule = $"-A OUTPUT -j DNAT ({path} {generations[path]})" }], null));
        }, _time, (path, _) =>
        {
            asked.Add(path);
            return Task.FromResult(generations[path]);
        });
        var view = View(Ns(10, "/var/run/netns/a"), Ns(11, "/var/run/netns/b"), Ns(12, "/var/run/netns/legacy"));
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(3, _reads.Count);

        // Two minutes on: a's rule set is where it was (no process), b's moved (read), the legacy one has no generation (read).
        generations["/var/run/netns/b"] = 4;
        _time.Advance(NamespaceRuleReader.RefreshEvery);
        _reads.Clear();
        asked.Clear();
        var later = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);

        Assert.Equal(["/var/run/netns/b", "/var/run/netns/legacy"], _reads.Order());
        Assert.Contains("/var/run/netns/a", asked);
        Assert.Contains(later.Rules, r => r.NetnsInode == 11 && r.Rule.Contains(" 4)", StringComparison.Ordinal));
        Assert.Contains(later.Rules, r => r.NetnsInode == 10 && r.Rule.Contains(" 7)", StringComparison.Ordinal));

        // Checked a moment ago: nothing to do, not even a check, until two more minutes have passed.
        _reads.Clear();
        asked.Clear();
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Empty(_reads);
        Assert.Empty(asked);
    }

    [Fact]
    public void The_generation_is_read_from_the_answer_to_the_request_and_nothing_else()
    {
        // NFT_MSG_NEWGEN (0x0a0f) as the kernel answers NFT_MSG_GETGEN: nfgenmsg, then NFTA_GEN_ID (big-endian 0x01020304),
        // NFTA_GEN_PROC_PID; an answer to another request (sequence 8) first, which must be skipped.
        static byte[] Answer(uint sequence, uint generation)
        {
            var bytes = new byte[16 + 4 + 8 + 8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 0x0a0f);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 8);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), generation);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), 8);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(30), 2);
            return bytes;
        }

        Assert.Equal(0x01020304u, NftablesGeneration.Parse([.. Answer(8, 99), .. Answer(9, 0x01020304)], 9));
        Assert.Null(NftablesGeneration.Parse(Answer(8, 99), 9));
        var request = NftablesGeneration.Request(9);
        Assert.Equal((ushort)0x0a10, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(4)));
    }

    [Fact]
    public async Task A_namespace_without_a_single_nftables_table_is_read_as_empty_without_a_process_until_its_generation_moves()
    {
        var generations = new Dictionary<string, uint?> { ["/var/run/netns/bare"] = 1, ["/var/run/netns/dns"] = 5, ["/var/run/netns/legacy"] = null };
        var tables = new Dictionary<string, bool?> { ["/var/run/netns/bare"] = false, ["/var/run/netns/dns"] = true, ["/var/run/netns/legacy"] = false };
        var reader = new NamespaceRuleReader((path, _) =>
        {
            _reads.Add(path);
            return Task.FromResult(new NamespaceRuleRead([new NatRule { Table = "nat", Chain = "OUTPUT", Position = 1, Target = "DNAT", Rule = $"-A OUTPUT -j DNAT ({path})" }], null));
        }, _time, (path, _) => Task.FromResult(generations[path]), (path, _) => Task.FromResult(tables[path]));
        var view = View(Ns(10, "/var/run/netns/bare"), Ns(11, "/var/run/netns/dns"), Ns(12, "/var/run/netns/legacy"));

        // bare: no table, so no process and no rule; dns: tables, read; legacy: no generation (not iptables-nft), read as before.
        var first = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/netns/dns", "/var/run/netns/legacy"], _reads.Order());
        Assert.Equal([11UL, 12UL], first.Rules.Select(r => r.NetnsInode!.Value).Order());

        // Two minutes on, nothing written: no process for any (the generations are where they were, legacy has none: read).
        _reads.Clear();
        _time.Advance(NamespaceRuleReader.RefreshEvery);
        await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Equal(["/var/run/netns/legacy"], _reads);

        // A first rule written in bare: its tables appear and its generation moves, so it is read with a process.
        generations["/var/run/netns/bare"] = 2;
        tables["/var/run/netns/bare"] = true;
        _reads.Clear();
        _time.Advance(NamespaceRuleReader.RefreshEvery);
        var later = await reader.ReadAsync(view, new HashSet<ulong>(), CancellationToken.None);
        Assert.Contains("/var/run/netns/bare", _reads);
        Assert.Contains(later.Rules, r => r.NetnsInode == 10);
    }

    [Fact]
    public void The_table_dump_says_some_at_a_table_none_at_its_end_and_refused_at_an_error()
    {
        static byte[] Message(ushort type, uint sequence, int payload = 4)
        {
            var bytes = new byte[16 + payload];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), type);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
            return bytes;
        }
        const ushort newTable = 0x0a00, done = 3, error = 2;

        Assert.Equal(NftablesGeneration.TablesAnswer.Some, NftablesGeneration.ParseTables([.. Message(newTable, 9), .. Message(done, 9)], 9));
        Assert.Equal(NftablesGeneration.TablesAnswer.None, NftablesGeneration.ParseTables(Message(done, 9), 9));
        // Another request's table (sequence 8) is not this namespace's answer.
        Assert.Equal(NftablesGeneration.TablesAnswer.None, NftablesGeneration.ParseTables([.. Message(newTable, 8), .. Message(done, 9)], 9));
        Assert.Equal(NftablesGeneration.TablesAnswer.Refused, NftablesGeneration.ParseTables(Message(error, 9, 20), 9));
        Assert.Equal(NftablesGeneration.TablesAnswer.GoesOn, NftablesGeneration.ParseTables(Message(newTable, 8), 9));
        var request = NftablesGeneration.TablesRequest(9);
        Assert.Equal((ushort)0x0a01, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(4)));
        Assert.Equal((ushort)0x301, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)));
    }
}
