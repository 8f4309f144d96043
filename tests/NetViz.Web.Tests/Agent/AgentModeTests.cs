using Microsoft.Extensions.Configuration;
using NetViz.Web.Agent;

namespace NetViz.Web.Tests.Agent;

public sealed class AgentModeTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void The_agent_command_becomes_the_mode_setting_and_other_commands_stay()
    {
        Assert.Equal(["--urls", "http://0.0.0.0:5001", "--NetViz:Mode=Agent"], AgentMode.ExpandCommand(["agent", "--urls", "http://0.0.0.0:5001"]));
        Assert.Equal(["snapshot"], AgentMode.ExpandCommand(["snapshot"]));
        Assert.Equal(["--urls", "agent"], AgentMode.ExpandCommand(["--urls", "agent"]));
        Assert.True(AgentMode.IsAgent(Config(("NetViz:Mode", "agent"))));
        Assert.False(AgentMode.IsAgent(Config()));
    }

    [Fact]
    public void An_exposed_agent_needs_a_configured_token_and_never_runs_without_auth()
    {
        const string token = "0123456789abcdef0123";
        var noToken = AgentMode.StartupProblem(Config(("NetViz:Mode", "Agent"), ("urls", "http://0.0.0.0:5001")));
        Assert.Contains("without NetViz:AuthToken", noToken);
        var none = AgentMode.StartupProblem(Config(("NetViz:Mode", "Agent"), ("urls", "http://10.1.2.3:5001"), ("NetViz:Auth", "None"), ("NetViz:AuthToken", token)));
        Assert.Contains("NetViz:Auth=None", none);
        Assert.Null(AgentMode.StartupProblem(Config(("NetViz:Mode", "Agent"), ("urls", "http://0.0.0.0:5001"), ("NetViz:AuthToken", token))));
    }

    [Fact]
    public void A_loopback_agent_and_the_dashboard_start_as_before()
    {
        Assert.Null(AgentMode.StartupProblem(Config(("NetViz:Mode", "Agent"), ("urls", "http://127.0.0.1:5001"))));
        Assert.Null(AgentMode.StartupProblem(Config(("NetViz:Mode", "Agent"))));
        Assert.Null(AgentMode.StartupProblem(Config(("urls", "http://0.0.0.0:5001"), ("NetViz:Auth", "None"))));
    }
}
