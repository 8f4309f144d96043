using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using NetViz.Web.Security;

namespace NetViz.Web.Operations;

/// <summary>
/// Asks for the dashboard's page once, from this process over loopback, as soon as Kestrel listens, so the first person
/// to open NetViz does not pay for compiling and warming what a page needs (endpoint and component discovery,
/// prerendering, MudBlazor's first render): ~0.4 s of the first page even with ReadyToRun code (docs/benchmarks.md,
/// issue 9). Read-only like every page; the answer is thrown away. Only over a loopback address (a wildcard bind is
/// asked on 127.0.0.1 or ::1): never a packet to another machine. <c>--NetViz:WarmFirstPage=false</c> turns it off.
/// </summary>
public sealed partial class FirstPageWarmup(IHostApplicationLifetime lifetime, IServer server, IConfiguration configuration,
    ILogger<FirstPageWarmup> logger) : BackgroundService
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("NetViz:WarmFirstPage", true)) return;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task.ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        if (PageUrl(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []) is not { } url) return;

        var begin = Stopwatch.GetTimestamp();
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Patience };
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, stoppingToken).ConfigureAwait(false);
            LogWarmed(url, (int)response.StatusCode, Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            if (!stoppingToken.IsCancellationRequested) LogNotWarmed(url, e.Message);
        }
    }

    /// <summary>The page's URL on the first plain-HTTP address NetViz listens on over loopback, or null when there is none.</summary>
    public static Uri? PageUrl(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            BindingAddress binding;
            try { binding = BindingAddress.Parse(address); }
            catch (FormatException) { continue; }
            if (binding.Scheme != "http" || binding.Port <= 0) continue;
            // A wildcard is asked on the loopback of its family, a loopback bind as it is ("localhost" by its address).
            var host = ListenExposure.IsWildcardUrl(address) ? (binding.Host == "[::]" ? "[::1]" : "127.0.0.1")
                : !ListenExposure.IsLoopbackUrl(address) ? null
                : string.Equals(binding.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1"
                : binding.Host;
            if (host is not null) return new Uri($"http://{host}:{binding.Port}/");
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "First page warmed: GET {Url} answered {Status} in {Milliseconds:F0} ms")]
    private partial void LogWarmed(Uri url, int status, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "First page not warmed: GET {Url}: {Reason}")]
    private partial void LogNotWarmed(Uri url, string reason);
}
