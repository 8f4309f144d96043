using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace NetViz.Web.Localization;

/// <summary>
/// The two languages of the dashboard (English, Korean: the lesson NetViz is built around is taught in Korean).
/// The choice is a cookie (<see cref="CookieRequestCultureProvider.DefaultCookieName"/>), so it survives reloads and
/// restarts; without one, the browser's Accept-Language decides, then English.
/// A Blazor Server circuit keeps the culture of the request that started it: switching reloads the page.
/// </summary>
public static class NetVizLocalization
{
    public static readonly IReadOnlyList<string> Languages = ["en", "ko"];

    /// <summary>Where the language switch sends the browser: sets the cookie, then goes back to the page.</summary>
    public const string SwitchPath = "/culture";

    public static IServiceCollection AddNetVizLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Languages.Select(l => new CultureInfo(l)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
        });
        return services;
    }

    /// <summary><c>GET /culture?c=ko&amp;r=/nat</c>: remembers the language for a year and returns to the page (same site only).</summary>
    public static IEndpointRouteBuilder MapNetVizCultureSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet(SwitchPath, (HttpContext http, string? c, string? r) =>
        {
            if (c is null || !Languages.Contains(c)) return Results.BadRequest($"language must be one of {string.Join(", ", Languages)}");
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(c)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });
            return Results.LocalRedirect(IsLocalPath(r) ? r! : "/");
        });
        return app;
    }

    /// <summary>A path on this site ("/x", not "//host" or "/\host"): nothing else is redirected to.</summary>
    public static bool IsLocalPath(string? path) =>
        path is { Length: > 0 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'));

    /// <summary>The switch URL for <paramref name="language"/> that comes back to <paramref name="relativeUri"/>.</summary>
    public static string SwitchUrl(string language, string relativeUri) =>
        $"{SwitchPath}?c={Uri.EscapeDataString(language)}&r={Uri.EscapeDataString("/" + relativeUri.TrimStart('/'))}";
}
