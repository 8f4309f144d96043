using Microsoft.Playwright;

namespace NetViz.E2E.Infrastructure;

/// <summary>Where the end-to-end tests save what the browser showed, so a person can look at it.</summary>
public static class Screenshots
{
    /// <summary>NETVIZ_TEST_SCREENSHOTS, or a screenshots folder beside the test binaries.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("NETVIZ_TEST_SCREENSHOTS") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Saves a full-page PNG named <paramref name="name"/>.png and returns its path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
