using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.IntegrationTests.Netlink;

/// <summary>Given a watch on the host's rtnetlink groups, when a veth is added with ip, then an RTM_NEWLINK describing it arrives.</summary>
public sealed class NetlinkChangeSourceTests : IDisposable
{
    private const string Veth = "nvnlnew0";
    private const string Peer = "nvnlnew1";

    public NetlinkChangeSourceTests() => Ip.TryCmd($"link del {Veth}");

    public void Dispose() => Ip.TryCmd($"link del {Veth}");

    [Fact]
    public async Task A_new_veth_in_the_host_arrives_as_RTM_NEWLINK_and_cancel_ends_the_watch()
    {
        using var watch = new CancellationTokenSource();
        // Generous upper bound so a broken watch fails instead of hanging; not a timing assertion.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(watch.Token);
        giveUp.CancelAfter(TimeSpan.FromSeconds(60));
        var changes = new NetlinkChangeSource().WatchAsync(giveUp.Token).GetAsyncEnumerator(giveUp.Token);
        // The first MoveNextAsync runs synchronously up to the first receive: the groups are joined when it returns.
        var next = changes.MoveNextAsync();

        Ip.Cmd($"link add {Veth} type veth peer name {Peer}");

        // An RTM_NEWLINK carries the link it describes (the monitor compares it with its last reading before re-reading).
        NetlinkChange? seen = null;
        while (await next)
        {
            if (changes.Current is { MessageType: NetlinkParser.RTM_NEWLINK, Link.Name: Veth } change)
            {
                seen = change;
                break;
            }
            next = changes.MoveNextAsync();
        }
        Assert.False(giveUp.IsCancellationRequested, "no RTM_NEWLINK for the new veth within 60 s");
        var link = seen!.Link!;
        var truth = Ip.Json($"-j -d link show {Veth}")[0];
        Assert.Equal(truth.GetProperty("ifindex").GetInt32(), link.Index);
        Assert.Equal(truth.GetProperty("address").GetString(), link.Mac);
        Assert.Equal(truth.GetProperty("mtu").GetInt32(), link.Mtu);
        Assert.Equal("veth", link.Type);
        Assert.Equal(Ip.IndexOf(Ip.Json($"-j link show {Peer}"), Peer), link.Link);
        Assert.False(link.Up);

        watch.Cancel();
        Assert.False(await changes.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        await changes.DisposeAsync();
    }
}
