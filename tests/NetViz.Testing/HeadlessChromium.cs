namespace NetViz.Testing;

/// <summary>
/// How the end-to-end tests and the render benchmark start the distribution's Chromium (through Playwright, which
/// each of them references itself). Playwright's own browser download is never used: it needs the internet.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>/usr/bin/chromium, or the binary NETVIZ_TEST_CHROMIUM names.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("NETVIZ_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>
    /// --no-sandbox: the runs are as root, where Chromium's sandbox refuses to start. The rest keep a headless run
    /// from reaching for the network or a GPU it does not have.
    /// </summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];
}
