using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace NetViz.Web.Security;

/// <summary>
/// <c>/login</c>: the token (from the printed login URL <c>/login?t=...</c>, or typed into the form) exchanged for
/// an HttpOnly, SameSite=Strict cookie, as the .NET Aspire dashboard's browser token works. Plain HTML without
/// script: it is served before the visitor is known, so it needs nothing the token protects.
/// </summary>
public static class LoginEndpoints
{
    public const string Path = "/login";
    public static IEndpointRouteBuilder MapNetVizLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync).AllowAnonymous().AddEndpointFilter(LimitPerAddress).ExcludeFromDescription();
        app.MapPost(Path, PostAsync).AllowAnonymous().AddEndpointFilter(LimitPerAddress).ExcludeFromDescription();
        return app;
    }

    /// <summary>A coarse cap on the login page per address (<see cref="LoginPageLimiter"/>), before anything else is looked at.</summary>
    private static ValueTask<object?> LimitPerAddress(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var limiter = http.RequestServices.GetRequiredService<LoginPageLimiter>();
        return limiter.Counter.TryAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown")
            ? next(context)
            : ValueTask.FromResult<object?>(Results.StatusCode(StatusCodes.Status429TooManyRequests));
    }

    private static Task GetAsync(HttpContext http, AccessToken token, FailedLoginLimiter limiter, ListenExposure exposure) =>
        http.Request.Query.TryGetValue("t", out var t)
            ? TryLoginAsync(http, t.ToString(), token, limiter, exposure)
            : PageAsync(http, StatusCodes.Status200OK, exposure.RequiresToken(http) ? null : "No login is needed here.");

    private static async Task PostAsync(HttpContext http, AccessToken token, FailedLoginLimiter limiter, ListenExposure exposure)
    {
        if (!http.Request.HasFormContentType)
        {
            await PageAsync(http, StatusCodes.Status400BadRequest, "Send the token from the form.");
            return;
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        await TryLoginAsync(http, form["t"].ToString(), token, limiter, exposure);
    }

    private static async Task TryLoginAsync(HttpContext http, string candidate, AccessToken token, FailedLoginLimiter limiter, ListenExposure exposure)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (limiter.IsBlocked(remote))
        {
            http.Response.Headers.RetryAfter = ((int)FailedLoginLimiter.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await PageAsync(http, StatusCodes.Status429TooManyRequests, "Too many wrong tokens from this address: wait a minute.");
            return;
        }
        if (!token.Matches(candidate))
        {
            limiter.RecordFailure(remote);
            await PageAsync(http, StatusCodes.Status401Unauthorized, "That token is not valid. Use the login URL NetViz printed at start.");
            return;
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "browser"), new Claim(NetVizSecurityExtensions.TokenFingerprintClaim, token.Fingerprint)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = true });
        var target = LocalUrl(http.Request.Query["returnUrl"].ToString()) ?? "/";
        // Not a 302: when the login URL was opened from another site (a chat, a mail), a redirect would still count
        // as that site's navigation and the browser would withhold the SameSite=Strict cookie. A page of our own
        // that moves on starts a same-site navigation. Meta refresh, not script: the CSP allows no inline script.
        var html = HtmlEncoder.Default;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync($"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={html.Encode(target)}">
            <title>NetViz: signed in</title></head><body><p>Signed in. <a href="{html.Encode(target)}">Open the dashboard</a>.</p></body></html>
            """);
    }

    /// <summary>"/x" stays; "//host", "/\host", absolute URLs and control characters do not (no open redirect).</summary>
    public static string? LocalUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/') return null;
        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\')) return null;
        return url.Any(char.IsControl) ? null : url;
    }

    private static async Task PageAsync(HttpContext http, int status, string? message)
    {
        var html = HtmlEncoder.Default;
        var returnUrl = LocalUrl(http.Request.Query["returnUrl"].ToString()) ?? "/";
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var note = message is null ? "" : $"""<p class="note" data-testid="login-message">{html.Encode(message)}</p>""";
        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>NetViz: log in</title>
            <style>
              body {"{"} font-family: system-ui, sans-serif; max-width: 34rem; margin: 12vh auto; padding: 0 1rem; color: #222; {"}"}
              input {"{"} font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; margin: .5rem 0; {"}"}
              button {"{"} font: inherit; padding: .4rem 1.2rem; {"}"}
              .note {"{"} color: #a33; {"}"}
            </style></head>
            <body>
            <h1>NetViz</h1>
            <p>This dashboard shows the host's whole network, so it asks for the token NetViz printed when it started
            (the line <code>Login: http://...:PORT/login?t=...</code>). Opening that URL logs you in.</p>
            {note}
            <form method="post" action="{Path}?returnUrl={html.Encode(Uri.EscapeDataString(returnUrl))}" data-testid="login-form">
              <label for="t">Token</label>
              <input id="t" name="t" type="password" autocomplete="off" autofocus required>
              <button type="submit">Log in</button>
            </form>
            </body></html>
            """);
    }
}
