using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetViz.Core.Live;

namespace NetViz.Core.Hub;

/// <summary>
/// The hub's source side: one <see cref="AgentSubscription"/> per agent the <see cref="IAgentDirectory"/> names, each on
/// its own task so a slow or dead agent holds back no other (agents that leave the directory, e.g. a node removed from
/// the cluster, are unsubscribed and leave the graph). Their states are merged (<see cref="HubMerge"/>) at most once per
/// <see cref="HubOptions.MergeWindow"/> and published to the same <see cref="TopologyBroadcaster"/> the dashboard, the API
/// and the SSE stream read: from there on, the one-way pipeline is the single-host one.
/// </summary>
public sealed class HubAggregator(
    TopologyBroadcaster feed, IAgentDirectory directory, IOptions<HubOptions> options, TimeProvider time, ILoggerFactory loggers, string hubHostname)
    : BackgroundService
{
    private readonly HubOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger<HubAggregator>();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AgentState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (AgentEndpoint Endpoint, CancellationTokenSource Stop, Task Run)> _running = new(StringComparer.Ordinal);
    private List<AgentEndpoint> _agents = [];
    // One pending "something changed" is enough: the merge reads every agent's newest state.
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var discovery = DiscoverAsync(http, stoppingToken);
        try
        {
            await foreach (var _ in _changed.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_options.MergeWindow > TimeSpan.Zero) await Task.Delay(_options.MergeWindow, time, stoppingToken).ConfigureAwait(false);
                _changed.Reader.TryRead(out bool _);
                List<AgentState> states;
                lock (_gate) states = [.. _agents.Select(a => _states.GetValueOrDefault(a.Name) ?? AgentState.Connecting(a))];
                feed.Publish(HubMerge.Merge(states, hubHostname, time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await discovery.ConfigureAwait(false);
        List<Task> runs;
        lock (_gate) runs = [.. _running.Values.Select(r => r.Run)];
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    /// <summary>Reads the directory (once, or every refresh interval) and starts or stops subscriptions to match it.</summary>
    private async Task DiscoverAsync(HttpClient http, CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Reconcile(await directory.ListAsync(stoppingToken).ConfigureAwait(false), http, stoppingToken);
                backoff.Reset();
                if (directory.RefreshInterval is not { } interval) return;
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The API server may be briefly away: keep the agents we have, ask again later.
                _logger.LogWarning("Hub: listing agents failed: {Reason}", e.Message);
                try { await backoff.WaitAsync(stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Reconcile(IReadOnlyList<AgentEndpoint> agents, HttpClient http, CancellationToken stoppingToken)
    {
        var wanted = agents.GroupBy(a => a.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
        lock (_gate)
        {
            foreach (var (name, run) in _running.ToList())
            {
                if (wanted.Any(a => a.Name == name && a.Url == run.Endpoint.Url && a.Token == run.Endpoint.Token)) continue;
                run.Stop.Cancel();
                _running.Remove(name);
                _states.Remove(name);
                _logger.LogInformation("Hub: agent {Agent} ({Url}) left", name, run.Endpoint.Url);
            }
            foreach (var agent in wanted.Where(a => !_running.ContainsKey(a.Name)))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var subscription = new AgentSubscription(agent, http, _options, time, state => OnAgentChanged(state, stop.Token), loggers.CreateLogger<AgentSubscription>());
                _running[agent.Name] = (agent, stop, Task.Run(() => subscription.RunAsync(stop.Token), CancellationToken.None));
                _logger.LogInformation("Hub: subscribing to agent {Agent} ({Url})", agent.Name, agent.Url);
            }
            _agents = wanted;
        }
        _changed.Writer.TryWrite(true);
    }

    private void OnAgentChanged(AgentState state, CancellationToken stopped)
    {
        lock (_gate)
        {
            // A subscription being stopped may still report: it must not bring back an agent that left.
            if (stopped.IsCancellationRequested) return;
            _states[state.Endpoint.Name] = state;
        }
        _changed.Writer.TryWrite(true);
    }
}
