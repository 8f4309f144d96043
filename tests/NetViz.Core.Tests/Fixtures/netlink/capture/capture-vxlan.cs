#:project ../../../../../src/NetViz.Core/NetViz.Core.csproj
// Records the raw RTM_GETLINK reply of the namespace this process runs in and, per vxlan device, the raw
// RTM_GETNEIGH (AF_BRIDGE) reply NetlinkSocket asks for (run under `ip netns exec`). See capture-vxlan.sh.
using NetViz.Core.Sources.Netlink;

var output = args.Length > 0 ? args[0] : throw new ArgumentException("usage: capture-vxlan.cs OUTPUT_PREFIX");
using var socket = NetlinkSocket.Open();
var links = socket.DumpRaw(NetlinkRequest.DumpLinks(1));
File.WriteAllBytes($"{output}links.bin", links);
uint sequence = 2;
foreach (var link in NetlinkParser.Parse(links).Links.Where(l => l.Vxlan is not null))
    File.WriteAllBytes($"{output}fdb-{link.Name}.bin", socket.DumpRaw(NetlinkRequest.DumpBridgeFdb(link.Index, sequence++)));
