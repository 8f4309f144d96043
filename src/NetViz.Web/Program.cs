using NetViz.Core;
using NetViz.Web;
using NetViz.Web.Api;
using NetViz.Web.Components;
using NetViz.Web.Operations;

// `--version`: version and git commit, no web server. [ops hook]
if (BuildInfo.IsVersionRequest(args)) { Console.WriteLine(BuildInfo.Describe()); return 0; }

// `./run.sh snapshot`: one fresh collection printed as JSON, no web server.
if (args.Length > 0 && args[0] == "snapshot")
    return await SnapshotCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddNetVizCore(builder.Configuration);
builder.AddNetVizOperations(); // [ops hook] metrics, health checks, log format, systemd
builder.Services.AddNetVizWeb();
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapNetVizOperations(); // [ops hook] /healthz, /readyz, /metrics

app.MapStaticAssets();
app.MapNetVizApi();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to WebApplicationFactory-style tests.</summary>
public partial class Program;
