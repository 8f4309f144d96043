#:project ../../../../../src/NetViz.Core/NetViz.Core.csproj
// Records raw NFT_MSG_GETRULE and NFT_MSG_GETCHAIN dump replies of the network namespace this process runs in (run it
// under `ip netns exec`), with the rule-set generation they were made in, for the counter tests. See capture-counters.sh.
using NetViz.Core.Sources.Nat;

var output = args.Length > 0 ? args[0] : throw new ArgumentException("usage: capture-counters.cs OUTPUT_PREFIX");
var generation = NftablesGeneration.ReadCurrent() ?? throw new InvalidOperationException("no nftables generation");
File.WriteAllText($"{output}generation.txt", generation + "\n");
uint sequence = 100;
foreach (var (family, table) in new[] { (2, "nat"), (2, "filter"), (10, "nat"), (10, "filter") })
{
    var (rules, chains) = NftablesCounterDump.ReadRaw(family, table, sequence);
    var name = $"{(family == 10 ? "ip6" : "ip")}-{table}";
    File.WriteAllBytes($"{output}{name}-rules.bin", rules);
    File.WriteAllBytes($"{output}{name}-chains.bin", chains);
    sequence += 2;
}
