using NetViz.Core.Sources;
using NetViz.Core.Sources.Netlink;

namespace NetViz.IntegrationTests.Netlink;

/// <summary>Given a watch on the host's rtnetlink groups, when a veth is added with ip, then an RTM_NEWLINK arrives.</summary>
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

        // The type is all a change carries (the monitor re-reads the namespace on any of them).
        NetlinkChange? seen = null;
        while (await next)
        {
            if (changes.Current is { MessageType: NetlinkParser.RTM_NEWLINK } change)
            {
                seen = change;
                break;
            }
            next = changes.MoveNextAsync();
        }
        Assert.False(giveUp.IsCancellationRequested, "no RTM_NEWLINK for the new veth within 60 s");
        Assert.Equal(new NetlinkChange(16), seen);

        watch.Cancel();
        Assert.False(await changes.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        await changes.DisposeAsync();
    }
}
