using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NetViz.Web.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> for the API and scripts (and future agents). Failed attempts count
/// against the caller's address in <see cref="FailedLoginLimiter"/>; past the limit the answer is 429 without
/// looking at the token.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessToken token, FailedLoginLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NetViz.Token";
    private const string RateLimitedKey = "NetViz.Token.RateLimited";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        var remote = Context.Connection.RemoteIpAddress;
        if (limiter.IsBlocked(remote))
        {
            Context.Items[RateLimitedKey] = true;
            return Task.FromResult(AuthenticateResult.Fail("too many failed attempts"));
        }
        if (!token.Matches(header["Bearer ".Length..]))
        {
            limiter.RecordFailure(remote);
            return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "token")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(RateLimitedKey))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)FailedLoginLimiter.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Response.WriteAsync("Too many failed attempts; try again later.\n");
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"NetViz\"";
        // A body keeps the status-code pages from replacing the answer with the HTML not-found page.
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("NetViz needs a token: Authorization: Bearer <token> (see docs/security.md).\n");
    }
}
