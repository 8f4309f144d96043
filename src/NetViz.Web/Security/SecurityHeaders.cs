using System.Security.Cryptography;

namespace NetViz.Web.Security;

/// <summary>
/// Headers on every response (pages, API, SSE, static files, errors): no MIME sniffing, no referrer (a login URL
/// with its token must not leak), no framing, and a CSP whose only inline script is Blazor's import map, allowed
/// by a nonce fresh per response.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string NonceKey = "NetViz.CspNonce";

    /// <summary>The nonce of this response's CSP, for the one inline script Blazor renders (&lt;ImportMap&gt;).</summary>
    public static string Nonce(HttpContext context) => context.Items[NonceKey] as string ?? "";

    public Task InvokeAsync(HttpContext context)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>
    /// script-src: our files and the nonce'd import map, nothing inline otherwise, no eval (Blazor Server needs
    /// neither). style-src keeps 'unsafe-inline': MudBlazor themes with a &lt;style&gt; element and style
    /// attributes, and CSS cannot run script. connect-src 'self' covers the Blazor WebSocket and /api/events.
    /// </summary>
    public static string ContentSecurityPolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";
}

/// <summary>Puts <see cref="SecurityHeadersMiddleware"/> in front of everything, host filtering's 400 included.</summary>
internal sealed class SecurityHeadersStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        next(app);
    };
}
