using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetViz.Core.Hub;
using NetViz.Core.Live;
using NetViz.Core.Model;

namespace NetViz.Core.Tests.Hub;

/// <summary>The aggregator follows its directory: agents that appear are subscribed to, agents that leave leave the graph.</summary>
public sealed class HubAggregatorTests
{
    private sealed class ChangingDirectory : IAgentDirectory
    {
        public volatile IReadOnlyList<AgentEndpoint> Agents = [];
        public TimeSpan? RefreshInterval => TimeSpan.FromMilliseconds(20);
        public Task<IReadOnlyList<AgentEndpoint>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(Agents);
    }

    private static async Task<TopologySnapshot> PublishedAsync(TopologyBroadcaster feed, Func<TopologySnapshot, bool> condition)
    {
        using var subscription = feed.Subscribe();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var update in subscription.Reader.ReadAllAsync(patience.Token))
        {
            var snapshot = update is TopologyReset r ? r.Snapshot : ((TopologyChange)update).Snapshot;
            if (condition(snapshot)) return snapshot;
        }
        throw new InvalidOperationException("the feed ended");
    }

    private static string[] Hosts(TopologySnapshot s) => [.. s.Nodes.OfType<HostNode>().Select(h => h.Name)];

    [Fact]
    public async Task Agents_joining_and_leaving_the_directory_join_and_leave_the_graph_and_an_unreachable_one_says_why()
    {
        // Port 1 on loopback: nothing listens, so the connection is refused at once (and nothing leaves the machine).
        AgentEndpoint Agent(string name) => new() { Name = name, Url = "http://127.0.0.1:1/" };
        var directory = new ChangingDirectory { Agents = [Agent("a"), Agent("b")] };
        var feed = new TopologyBroadcaster(16);
        var options = Options.Create(new HubOptions { MergeWindow = TimeSpan.Zero, AgentRetryMax = TimeSpan.FromMilliseconds(100) });
        using var hub = new HubAggregator(feed, directory, options, TimeProvider.System, NullLoggerFactory.Instance, "hub");
        await hub.StartAsync(CancellationToken.None);
        try
        {
            var both = await PublishedAsync(feed, s => Hosts(s) is ["a", "b"] && s.Nodes.OfType<HostNode>().All(h => h.Status == HostStatuses.Unreachable));
            Assert.All(both.Nodes.OfType<HostNode>(), h => Assert.False(string.IsNullOrEmpty(h.Reason)));
            Assert.All(both.Nodes.OfType<HostNode>(), h => Assert.Null(h.LastSeen));

            directory.Agents = [Agent("b"), Agent("c")];
            var after = await PublishedAsync(feed, s => Hosts(s) is ["b", "c"]);
            Assert.DoesNotContain(after.Host.Warnings, w => w.StartsWith("a:", StringComparison.Ordinal));
        }
        finally
        {
            await hub.StopAsync(CancellationToken.None);
        }
    }
}
