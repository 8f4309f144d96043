using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace NetViz.Core.Hub;

/// <summary>One agent the hub subscribes to (<c>NetViz:Agents:N:Name/Url/Token</c>).</summary>
public sealed class AgentEndpoint
{
    /// <summary>The host's name in the hub: the id prefix (<c>&lt;name&gt;/</c>) and the label of its box.</summary>
    public string Name { get; set; } = "";
    /// <summary>The agent's base URL, e.g. <c>http://node1:5001</c>.</summary>
    public string Url { get; set; } = "";
    /// <summary>The agent's <c>NetViz:AuthToken</c>, sent as a Bearer token; empty for an agent on loopback.</summary>
    public string? Token { get; set; }
}

/// <summary>Hub settings under "NetViz" (docs/operations.md, "Hub"). A hub is a dashboard with at least one agent.</summary>
public sealed class HubOptions
{
    public List<AgentEndpoint> Agents { get; set; } = [];

    /// <summary>An agent that sends nothing (not even its 15 s keep-alive) this long is unreachable.</summary>
    public TimeSpan AgentSilenceTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Longest wait between two connection attempts to an unreachable agent (the wait doubles up to it).</summary>
    public TimeSpan AgentRetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Changes from all agents within this window are merged into one snapshot.</summary>
    public TimeSpan MergeWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest single event (a snapshot) accepted from an agent; a bigger one drops the connection.</summary>
    public int MaxEventBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>True when the configuration names agents, or a Kubernetes selector to find them: this process is a hub.</summary>
    public static bool IsHub(IConfiguration configuration) =>
        configuration.GetSection($"{NetVizOptions.Section}:{nameof(Agents)}").GetChildren().Any()
        || !string.IsNullOrWhiteSpace(configuration[$"{KubernetesDiscoveryOptions.Section}:{nameof(KubernetesDiscoveryOptions.AgentSelector)}"]);
}

/// <summary>Checks the agent list at start: names usable as id prefixes, absolute http(s) URLs, tokens of a usable length.</summary>
public sealed partial class HubOptionsValidator : IValidateOptions<HubOptions>
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostName();

    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Agents.Count; i++)
        {
            var agent = options.Agents[i];
            var where = $"{NetVizOptions.Section}:Agents:{i}";
            if (!HostName().IsMatch(agent.Name ?? ""))
                failures.Add($"{where}:Name must be 1 to 63 lowercase letters, digits, '.' or '-' (a DNS label; it prefixes the host's ids), got \"{Shown(agent.Name)}\".");
            else if (!seen.Add(agent.Name!))
                failures.Add($"{where}:Name \"{agent.Name}\" is used twice: each host needs its own name.");
            if (!Uri.TryCreate(agent.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0)
                failures.Add($"{where}:Url must be an absolute http:// or https:// URL without a query, got \"{Shown(agent.Url)}\".");
            else if (string.IsNullOrEmpty(agent.Token) && !url.IsLoopback)
                failures.Add($"{where}:Token is required for an agent beyond loopback ({url.Host}): the agent refuses to run exposed without one.");
            if (!string.IsNullOrEmpty(agent.Token) && agent.Token.Length is < 16 or > 512)
                failures.Add($"{where}:Token must be 16 to 512 characters (the agent's NetViz:AuthToken).");
        }
        // Longer than the agent's 15 s keep-alive, or a quiet but healthy agent would be declared unreachable.
        if (options.AgentSilenceTimeout < TimeSpan.FromSeconds(20) || options.AgentSilenceTimeout > TimeSpan.FromHours(1))
            failures.Add($"{NetVizOptions.Section}:AgentSilenceTimeout must be between 00:00:20 and 01:00:00 (agents send a keep-alive every 15 s), got {options.AgentSilenceTimeout}.");
        if (options.AgentRetryMax <= TimeSpan.Zero || options.AgentRetryMax > TimeSpan.FromHours(1))
            failures.Add($"{NetVizOptions.Section}:AgentRetryMax must be between 0 and 01:00:00, got {options.AgentRetryMax}.");
        if (options.MergeWindow < TimeSpan.Zero || options.MergeWindow > TimeSpan.FromSeconds(10))
            failures.Add($"{NetVizOptions.Section}:MergeWindow must be between 0 and 00:00:10, got {options.MergeWindow}.");
        if (options.MaxEventBytes is < 64 * 1024 or > 1024 * 1024 * 1024)
            failures.Add($"{NetVizOptions.Section}:MaxEventBytes must be between 65536 and 1073741824, got {options.MaxEventBytes}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Shown(string? value) => value is null ? "" : Text.Bounded.Text(value, 100);
}
