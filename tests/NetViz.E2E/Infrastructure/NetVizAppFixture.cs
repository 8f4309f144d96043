using Microsoft.Playwright;
using NetViz.Testing;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// One published NetViz server and one Chromium shared by every test class in the
/// <see cref="NetVizAppCollection"/>; each test opens its own browser context (own cookies,
/// own Blazor circuit) with <see cref="NewContextAsync"/>.
/// </summary>
public sealed class NetVizAppFixture : IAsyncLifetime
{
    private PublishedNetVizServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The running app.</summary>
    public PublishedNetVizServer Server => _server ?? throw new InvalidOperationException("Fixture not initialized.");

    /// <summary>The shared headless Chromium.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Fixture not initialized.");

    /// <summary>The label on every container the end-to-end tests start (names are nve2e-*).</summary>
    public const string TestLabel = "netviz.test=nve2e";

    public async Task InitializeAsync()
    {
        HostCommand.RemoveContainersLabelled(TestLabel);
        _server = await PublishedNetVizServer.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await ChromiumBrowser.LaunchAsync(_playwright);
    }

    /// <summary>A fresh browser context whose relative URLs resolve against the app.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
        HostCommand.RemoveContainersLabelled(TestLabel);
    }
}

/// <summary>Test classes tagged [Collection(NetVizAppCollection.Name)] share one <see cref="NetVizAppFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class NetVizAppCollection : ICollectionFixture<NetVizAppFixture>
{
    public const string Name = "NetViz app";
}
