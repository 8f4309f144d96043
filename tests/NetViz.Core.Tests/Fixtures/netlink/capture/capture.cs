#:project ../../../../../src/NetViz.Core/NetViz.Core.csproj
// Records the raw rtnetlink dump replies of the network namespace this process runs in (run it under
// `ip netns exec`), one file per request, for the parser tests. See capture.sh.
using NetViz.Core.Sources.Netlink;

var output = args.Length > 0 ? args[0] : throw new ArgumentException("usage: capture.cs OUTPUT_PREFIX");
using var socket = NetlinkSocket.Open();
File.WriteAllBytes($"{output}links.bin", socket.DumpRaw(NetlinkRequest.DumpLinks(1)));
File.WriteAllBytes($"{output}addrs.bin", socket.DumpRaw(NetlinkRequest.DumpAddresses(2)));
File.WriteAllBytes($"{output}routes4.bin", socket.DumpRaw(NetlinkRequest.DumpRoutes(2, 3)));
File.WriteAllBytes($"{output}routes6.bin", socket.DumpRaw(NetlinkRequest.DumpRoutes(10, 4)));
