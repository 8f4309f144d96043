using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetViz.Core.Traffic;
using NetViz.IntegrationTests.Netlink;
using static NetViz.IntegrationTests.Docker.DockerCli;

namespace NetViz.IntegrationTests.Paths;

/// <summary>
/// Given a namespace nvpath-t1 cabled to the host by the veth nvpatht0 (10.251.11.0/24), when 10 MB go from it to a
/// listener this test opens on the host end's address, then the rx rate NetViz shows for nvpatht0, integrated over
/// its samples, equals the bytes the listener received within 10% (frame and TCP/IP headers are counted too).
/// </summary>
[Collection(TrafficRateCollection.Name)]
public sealed class TrafficRateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Ns = "nvpath-t1", Veth = "nvpatht0";
    private const int Bytes = 10 * 1024 * 1024;

    [Fact]
    public async Task The_rate_of_a_veth_integrates_to_the_bytes_sent_across_it()
    {
        Cleanup();
        var payload = Path.Combine(Path.GetTempPath(), $"nvpath-payload-{Environment.ProcessId}");
        try
        {
            foreach (var command in new[]
            {
                $"ip netns add {Ns}", $"ip link add {Veth} type veth peer name eth0 netns {Ns}", $"ip addr add 10.251.11.1/24 dev {Veth}",
                $"ip link set {Veth} up", $"ip -n {Ns} addr add 10.251.11.2/24 dev eth0", $"ip -n {Ns} link set eth0 up", $"ip -n {Ns} link set lo up",
            })
                Must(command.Split(' ')[0], command.Split(' ')[1..]);
            await File.WriteAllBytesAsync(payload, new byte[Bytes]);

            using var listener = new TcpListener(IPAddress.Parse("10.251.11.1"), 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var received = Task.Run(async () =>
            {
                using var client = await listener.AcceptTcpClientAsync();
                var buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                await using var stream = client.GetStream();
                while ((n = await stream.ReadAsync(buffer)) > 0) total += n;
                return total;
            });

            var vethId = $"if:{Ip.Inode("/proc/self/ns/net")}:{File.ReadAllText($"/sys/class/net/{Veth}/ifindex").Trim()}";
            await using var monitor = new TrafficMonitor(new NetlinkTrafficCounterSource(), TimeProvider.System, TimeSpan.FromMilliseconds(500));
            using var subscription = monitor.Subscribe();
            var integrated = 0d;
            var samples = 0;
            async Task ReadFor(Func<bool> until)
            {
                while (!until())
                {
                    var rates = await subscription.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                    samples++;
                    if (rates.Interfaces.FirstOrDefault(r => r.InterfaceId == vethId) is { } veth)
                        integrated += veth.RxBytesPerSecond * (rates.To - rates.From).TotalSeconds;
                }
            }
            await ReadFor(() => samples >= 1); // the sampler has a first sample before anything is sent

            var sender = Process.Start(new ProcessStartInfo("sh", ["-c", $"ip netns exec {Ns} busybox nc -w 5 10.251.11.1 {port} < {payload}"]))!;
            var sent = sender.WaitForExitAsync();
            await ReadFor(() => sent.IsCompleted && received.IsCompleted);
            var extra = samples + 2;
            await ReadFor(() => samples >= extra); // the last frames' sample

            var bytes = await received;
            output.WriteLine($"received {bytes} bytes; rx rate of {Veth} integrated over {samples} samples: {integrated:0} bytes ({integrated / bytes:P1})");
            Assert.Equal(Bytes, bytes);
            Assert.InRange(integrated, bytes * 0.9, bytes * 1.1);
        }
        finally
        {
            Cleanup();
            File.Delete(payload);
        }
    }

    private static void Cleanup()
    {
        Run("ip", "link", "del", Veth);
        Run("ip", "netns", "del", Ns);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrafficRateCollection
{
    public const string Name = "nvpath traffic rates";
}
