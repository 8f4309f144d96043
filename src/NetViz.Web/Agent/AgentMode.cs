using NetViz.Web.Security;

namespace NetViz.Web.Agent;

/// <summary>
/// Agent mode (<c>./run.sh agent</c> or <c>NetViz:Mode=Agent</c>): the same binary without the dashboard, serving only
/// <c>/api/topology</c> and <c>/api/events</c> (plus health and metrics) for its host, for a hub to subscribe to
/// (docs/operations.md, "Agents"). Everything else a page would need (Blazor, static files, the login page) is not mapped.
/// </summary>
public static class AgentMode
{
    public const string Setting = "NetViz:Mode";
    public const string Command = "agent";

    /// <summary><c>agent ...</c> becomes <c>... --NetViz:Mode=Agent</c>; other command lines stay as they are.</summary>
    public static string[] ExpandCommand(string[] args) =>
        args.Length > 0 && args[0] == Command ? [.. args[1..], $"--{Setting}=Agent"] : args;

    public static bool IsAgent(IConfiguration configuration) =>
        string.Equals(configuration[Setting], "Agent", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why an agent must not start, or null. An agent listening beyond loopback is meant to be reached by a hub on
    /// another machine: it needs a token the hub knows in advance (<c>NetViz:AuthToken</c>; a random per-start token would
    /// lock the hub out at every restart), and <c>NetViz:Auth=None</c> is refused outright: an unauthenticated agent hands
    /// the host's whole network map to anyone on the network. Loopback-only agents (behind a proxy or a tunnel) may run
    /// as the dashboard does.
    /// </summary>
    public static string? StartupProblem(IConfiguration configuration)
    {
        if (!IsAgent(configuration)) return null;
        var exposedUrls = AllowedHostsPolicy.ConfiguredUrls(configuration).Where(u => !ListenExposure.IsLoopbackUrl(u)).ToList();
        if (exposedUrls.Count == 0) return null;
        var security = configuration.GetSection("NetViz").Get<NetVizSecurityOptions>() ?? new NetVizSecurityOptions();
        if (security.Auth == AuthMode.None)
            return $"NetViz agent: refusing to listen on {string.Join(", ", exposedUrls)} with NetViz:Auth=None. " +
                   "An agent beyond loopback always requires a token: remove NetViz:Auth=None and set NetViz:AuthToken.";
        if (string.IsNullOrEmpty(security.AuthToken))
            return $"NetViz agent: refusing to listen on {string.Join(", ", exposedUrls)} without NetViz:AuthToken. " +
                   $"Give it the token the hub uses for this agent (at least {AccessToken.MinimumLength} characters), " +
                   "e.g. NetViz__AuthToken in the environment.";
        return null;
    }
}
