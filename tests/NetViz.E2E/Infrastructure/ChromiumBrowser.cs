using Microsoft.Playwright;
using NetViz.Testing;

namespace NetViz.E2E.Infrastructure;

/// <summary>The distribution's Chromium driven by Playwright (<see cref="HeadlessChromium"/>).</summary>
public static class ChromiumBrowser
{
    /// <summary>Launches a headless Chromium.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(HeadlessChromium.ExecutablePath))
            throw new InvalidOperationException(
                $"Chromium not found at {HeadlessChromium.ExecutablePath}: install the chromium package (./test.sh does) or set NETVIZ_TEST_CHROMIUM.");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = HeadlessChromium.ExecutablePath,
            Headless = true,
            Args = HeadlessChromium.Arguments,
        });
    }
}
