using Microsoft.Extensions.Options;

namespace NetViz.Web.Security;

/// <summary>
/// 403 for a request whose <c>Origin</c> is not NetViz's own (or configured in <c>NetViz:AllowedOrigins</c>).
/// Browsers send Origin with every WebSocket handshake and cross-origin fetch; WebSockets are not covered by CORS,
/// so without this a page on any site could open the Blazor hub of a NetViz on the visitor's loopback.
/// </summary>
public sealed class OriginCheckMiddleware(RequestDelegate next, IOptions<NetVizSecurityOptions> options)
{
    private readonly HashSet<string> _allowed = NetVizSecurityOptions.List(options.Value.AllowedOrigins)
        .Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || IsSameOrigin(context.Request, origin) || _allowed.Contains(origin))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Cross-origin request refused (Origin is not this NetViz).\n");
    }

    /// <summary>The Origin names the scheme, host and port this request was sent to ("null" never does).</summary>
    public static bool IsSameOrigin(HttpRequest request, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || o.AbsolutePath is not ("/" or "")) return false;
        var host = request.Host;
        if (!host.HasValue) return false;
        var port = host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(o.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(o.IdnHost.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && o.Port == port;
    }
}
