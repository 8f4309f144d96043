using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using NetViz.Core.Privileges;

namespace NetViz.Web.Security;

/// <summary>
/// Registration of everything in docs/security.md: the token (cookie for browsers, Bearer for the API) required
/// when NetViz listens beyond loopback, host filtering, the Origin check, security headers and the login rate limit.
/// </summary>
public static class NetVizSecurityExtensions
{
    public const string PolicyScheme = "NetViz";
    public const string TokenFingerprintClaim = "netviz:token";
    public const string CookieName = "netviz_auth";

    /// <param name="privileges">What <see cref="StartupPrivileges.Apply"/> did, logged once the server runs.</param>
    public static WebApplicationBuilder AddNetVizSecurity(this WebApplicationBuilder builder, CapabilityDropOutcome? privileges = null)
    {
        var services = builder.Services;
        services.AddSingleton(privileges ?? new CapabilityDropOutcome(false, "capabilities not examined"));
        services.AddOptions<NetVizSecurityOptions>().Bind(builder.Configuration.GetSection("NetViz"));
        var options = builder.Configuration.GetSection("NetViz").Get<NetVizSecurityOptions>() ?? new NetVizSecurityOptions();
        var token = new AccessToken(options.AuthToken);
        services.AddSingleton(token);
        services.AddSingleton<ListenExposure>();
        services.AddSingleton<FailedLoginLimiter>();
        services.AddHostedService<SecurityAnnouncement>();

        // Outermost, ahead of the host filtering WebApplicationBuilder adds: its 400s get the headers too.
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, SecurityHeadersStartupFilter>());

        var allowedHosts = AllowedHostsPolicy.Compute(AllowedHostsPolicy.ConfiguredUrls(builder.Configuration), options, builder.Configuration["AllowedHosts"]);
        services.Configure<HostFilteringOptions>(o =>
        {
            o.AllowedHosts = [.. allowedHosts];
            o.AllowEmptyHosts = false;
            o.IncludeFailureMessage = false;
        });

        services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, "Cookie or Bearer token", o =>
                o.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? TokenAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
                o.SlidingExpiration = true;
                o.LoginPath = LoginEndpoints.Path;
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnRedirectToLogin = RedirectOrUnauthorized;
                o.Events.OnValidatePrincipal = context =>
                {
                    // Data-protection keys outlive a restart; the token may not (random per start).
                    var current = context.HttpContext.RequestServices.GetRequiredService<AccessToken>().Fingerprint;
                    if (context.Principal?.FindFirst(TokenFingerprintClaim)?.Value != current) context.RejectPrincipal();
                    return Task.CompletedTask;
                };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);

        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        services.AddAuthorizationBuilder()
            // Every endpoint without its own policy (pages, /_blazor, /api, static files) needs it.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new AccessRequirement()).Build());

        // The login page itself: a coarse cap per address on top of the failed-attempt limit (LoginEndpoints).
        services.AddSingleton(sp => new LoginPageLimiter(new FixedWindowCounter(LoginPageLimiter.PermitsPerWindow, TimeSpan.FromMinutes(1), sp.GetService<TimeProvider>())));
        return builder;
    }

    /// <summary>Origin check, authentication, authorization: after routing, before the endpoints (the login page limits itself).</summary>
    public static WebApplication UseNetVizSecurity(this WebApplication app)
    {
        app.UseMiddleware<OriginCheckMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>A person opening a page is sent to the login page; the API, the hub and scripts get 401.</summary>
    private static async Task RedirectOrUnauthorized(RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        var wantsPage = HttpMethods.IsGet(request.Method)
            && !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/_blazor")
            && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        if (wantsPage)
        {
            context.Response.Redirect(context.RedirectUri);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"NetViz\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("NetViz needs a token: log in at /login, or send Authorization: Bearer <token> (see docs/security.md).\n");
    }

    /// <summary>Passes when this request needs no token (loopback bind), or carries a valid cookie or Bearer token.</summary>
    private sealed class AccessRequirement : IAuthorizationRequirement;

    private sealed class AccessRequirementHandler(ListenExposure exposure) : AuthorizationHandler<AccessRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
        {
            var http = context.Resource as HttpContext;
            if (http is not null && !exposure.RequiresToken(http)) context.Succeed(requirement);
            else if (context.User.Identities.Any(i => i.IsAuthenticated)) context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }

    /// <summary>Once Kestrel has bound: decides exposure, prints the login URL, or warns loudly about Auth=None.</summary>
    private sealed class SecurityAnnouncement(
        IHostApplicationLifetime lifetime, IServer server, ListenExposure exposure, AccessToken token,
        IOptions<HostFilteringOptions> hosts, CapabilityDropOutcome privileges, ILogger<SecurityAnnouncement> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(Announce);
            return Task.CompletedTask;
        }

        private void Announce()
        {
            exposure.Resolve(server);
            logger.LogInformation("Privileges: {Message}", privileges.Message);
            var addresses = exposure.Addresses;
            if (exposure.Mode == AuthMode.None)
            {
                if (exposure.IsExposed)
                    logger.LogWarning(
                        "!!! NetViz:Auth=None while listening on {Addresses}: ANYONE who can reach this port sees this host's whole network " +
                        "(containers, namespaces, addresses, NAT rules), with no login. Remove --NetViz:Auth=None to require a token.",
                        string.Join(", ", addresses));
                return;
            }
            if (exposure.Mode == AuthMode.Auto && !exposure.IsExposed)
            {
                logger.LogInformation("Listening on loopback only ({Addresses}): no login needed.", string.Join(", ", addresses));
                return;
            }
            foreach (var address in addresses)
            {
                var url = LoginUrl(address);
                if (token.IsGenerated) logger.LogWarning("Login: {LoginUrl}", url + "?t=" + token.Value);
                else logger.LogWarning("Login: {LoginUrl} with the token configured in NetViz:AuthToken", url);
            }
            logger.LogInformation("Accepted Host names: {Hosts}", string.Join(";", hosts.Value.AllowedHosts));
        }

        private static string LoginUrl(string address)
        {
            var binding = BindingAddress.Parse(address);
            // A wildcard bind has no name of its own: print the machine's, which is what a colleague would type.
            var host = ListenExposure.IsWildcardUrl(address) ? System.Net.Dns.GetHostName() : binding.Host;
            return $"{binding.Scheme}://{host}:{binding.Port}{LoginEndpoints.Path}";
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
