using NetViz.Core;
using NetViz.Web;
using NetViz.Web.Agent;
using NetViz.Web.Api;
using NetViz.Web.Cli;
using NetViz.Web.Localization;
using NetViz.Web.Components;
using NetViz.Web.Operations;
using NetViz.Web.Security;

// `--version`: version and git commit, no web server. [ops hook]
if (BuildInfo.IsVersionRequest(args)) { Console.WriteLine(BuildInfo.Describe()); return 0; }

// `./run.sh agent`: no dashboard, only the API for a hub (docs/operations.md, "Agents").
args = AgentMode.ExpandCommand(args);

// Before anything else: may re-execute this process with only the capabilities NetViz uses.
var privileges = StartupPrivileges.Apply(args);

// `./run.sh snapshot`: one fresh collection printed as JSON, no web server.
if (args.Length > 0 && args[0] == "snapshot")
    return await SnapshotCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
var agent = AgentMode.IsAgent(builder.Configuration);
if (AgentMode.StartupProblem(builder.Configuration) is { } agentProblem)
{
    Console.Error.WriteLine(agentProblem);
    return 2;
}

builder.Services.AddNetVizCore(builder.Configuration);
builder.AddNetVizOperations(); // [ops hook] metrics, health checks, log format, systemd
builder.Services.AddNetVizWeb();
builder.AddNetVizSecurity(privileges);
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();
// The dashboard's page asked for once at the start, so its first viewer does not wait for the warm-up (issue 9).
if (!agent) builder.Services.AddHostedService<FirstPageWarmup>();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
if (!agent) app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseNetVizSecurity();
app.UseRequestLocalization(); // English or Korean, from the cookie the language switch sets (NetVizLocalization)
app.UseAntiforgery();

app.MapNetVizOperations(); // [ops hook] /healthz, /readyz, /metrics

app.MapNetVizApi();
app.MapNetVizPathApi();
if (!agent)
{
    app.MapStaticAssets();
    app.MapNetVizLogin();
    app.MapNetVizCultureSwitch();
    app.MapRazorComponents<App>()
        // SecurityHeadersMiddleware sends the whole CSP, frame-ancestors 'none' included.
        .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
}

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to WebApplicationFactory-style tests.</summary>
public partial class Program;
