using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetViz.Core.Live;

namespace NetViz.Core.Hub;

/// <summary>
/// The hub's source side: one <see cref="AgentSubscription"/> per configured agent, each on its own task so a slow or
/// dead agent holds back no other; their states are merged (<see cref="HubMerge"/>) at most once per
/// <see cref="HubOptions.MergeWindow"/> and published to the same <see cref="TopologyBroadcaster"/> the dashboard, the
/// API and the SSE stream read: from there on, the one-way pipeline is the single-host one.
/// </summary>
public sealed class HubAggregator(
    TopologyBroadcaster feed, IOptions<HubOptions> options, TimeProvider time, ILoggerFactory loggers, string hubHostname) : BackgroundService
{
    private readonly HubOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AgentState> _states = new(StringComparer.Ordinal);
    // One pending "something changed" is enough: the merge reads every agent's newest state.
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var logger = loggers.CreateLogger<HubAggregator>();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        logger.LogInformation("Hub: subscribing to {Count} agents: {Agents}", _options.Agents.Count, string.Join(", ", _options.Agents.Select(a => $"{a.Name}={a.Url}")));
        var subscriptions = _options.Agents
            .Select(agent => Task.Run(() => new AgentSubscription(agent, http, _options, time, OnAgentChanged, loggers.CreateLogger<AgentSubscription>())
                .RunAsync(stoppingToken), stoppingToken))
            .ToList();
        try
        {
            await foreach (var _ in _changed.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_options.MergeWindow > TimeSpan.Zero) await Task.Delay(_options.MergeWindow, time, stoppingToken).ConfigureAwait(false);
                _changed.Reader.TryRead(out bool _);
                List<AgentState> states;
                lock (_gate) states = [.. _options.Agents.Select(a => _states.GetValueOrDefault(a.Name) ?? AgentState.Connecting(a))];
                feed.Publish(HubMerge.Merge(states, hubHostname, time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await Task.WhenAll(subscriptions).ConfigureAwait(false);
    }

    private void OnAgentChanged(AgentState state)
    {
        lock (_gate) _states[state.Endpoint.Name] = state;
        _changed.Writer.TryWrite(true);
    }
}
