using NetViz.Core;
using NetViz.Web;
using NetViz.Web.Api;
using NetViz.Web.Components;
using NetViz.Web.Security;

// Before anything else: may re-execute this process with only the capabilities NetViz uses.
var privileges = StartupPrivileges.Apply(args);

// `./run.sh snapshot`: one fresh collection printed as JSON, no web server.
if (args.Length > 0 && args[0] == "snapshot")
    return await SnapshotCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddNetVizCore(builder.Configuration);
builder.Services.AddNetVizWeb();
builder.AddNetVizSecurity(privileges);
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseNetVizSecurity();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapNetVizLogin();
app.MapNetVizApi();
app.MapRazorComponents<App>()
    // SecurityHeadersMiddleware sends the whole CSP, frame-ancestors 'none' included.
    .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to WebApplicationFactory-style tests.</summary>
public partial class Program;
