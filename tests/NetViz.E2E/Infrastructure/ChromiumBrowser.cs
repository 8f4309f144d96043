using Microsoft.Playwright;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// The distribution's Chromium driven by Playwright. Playwright's own browser download is never
/// used (`playwright install` needs the internet); NETVIZ_TEST_CHROMIUM names another binary.
/// </summary>
public static class ChromiumBrowser
{
    /// <summary>The Chromium binary the tests launch.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("NETVIZ_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
    // The rest keep a headless run from reaching for the network or a GPU it does not have.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Launches a headless Chromium.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException(
                $"Chromium not found at {ExecutablePath}: install the chromium package (./test.sh does) or set NETVIZ_TEST_CHROMIUM.");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
    }
}
