using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// The published NetViz.Web app (the same output `./run.sh` runs) started as a child process in
/// Production mode on a free loopback port. Production matters: `dotnet run` outside Development
/// serves 500 for _framework/* and _content/*, a failure only the published output avoids.
/// </summary>
public sealed class PublishedNetVizServer : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>How to start the app beyond the defaults (loopback, no extra arguments).</summary>
    /// <param name="BindHost">The host in --urls: "127.0.0.1" (default), or "0.0.0.0" to test exposure. Requests always go to 127.0.0.1.</param>
    /// <param name="Arguments">More command-line arguments (--NetViz:Auth=None, ...).</param>
    public sealed record Options(string BindHost = "127.0.0.1", IReadOnlyList<string>? Arguments = null);

    private PublishedNetVizServer(Process process, Uri baseAddress, string publishDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        PublishDirectory = publishDirectory;
    }

    /// <summary>Where the app listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The published output folder the app runs from (its content root).</summary>
    public string PublishDirectory { get; }

    /// <summary>The app's stdout and stderr so far, for failure messages.</summary>
    public string Log => string.Join(Environment.NewLine, _log);

    /// <summary>
    /// Publishes the app if its sources changed (scripts/publish.sh, shared with run.sh), starts it,
    /// and returns once it answers HTTP. NETVIZ_E2E_APP_DIR names an already published folder instead.
    /// </summary>
    public static Task<PublishedNetVizServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new Options(), cancellationToken);

    /// <summary>As <see cref="StartAsync(CancellationToken)"/>, bound and configured as <paramref name="options"/> says.</summary>
    public static async Task<PublishedNetVizServer> StartAsync(Options options, CancellationToken cancellationToken = default)
    {
        var publishDirectory = Environment.GetEnvironmentVariable("NETVIZ_E2E_APP_DIR") is { Length: > 0 } given
            ? given
            : await PublishAsync(cancellationToken);
        var appDll = Path.Combine(publishDirectory, "NetViz.Web.dll");
        if (!File.Exists(appDll))
            throw new InvalidOperationException($"{appDll} does not exist.");

        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = publishDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(appDll);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add($"http://{options.BindHost}:{port}");
        foreach (var argument in options.Arguments ?? []) startInfo.ArgumentList.Add(argument);
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_CONTENTROOT"] = publishDirectory;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new PublishedNetVizServer(process, baseAddress, publishDirectory);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitUntilAnsweringAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The app's process id (the same after it re-executes itself to drop capabilities).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Waits until a line of the app's output matches, and returns the match.</summary>
    public async Task<System.Text.RegularExpressions.Match> WaitForLogAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var line in _log)
                if (pattern.Match(line) is { Success: true } match) return match;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"No output line matched {pattern} within {timeout}:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>A client for plain HTTP checks against the app (no compression negotiated).</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var client = CreateHttpClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"NetViz.Web exited with code {_process.ExitCode} while starting:\n{Log}");
            try
            {
                // Any HTTP answer means Kestrel is listening; the tests judge the status codes.
                using var response = await client.GetAsync("/", cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            if (deadline.Elapsed > StartupTimeout)
                throw new TimeoutException($"NetViz.Web did not answer on {BaseAddress} within {StartupTimeout}:\n{Log}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static async Task<string> PublishAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.PublishScript);
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("Could not start bash for scripts/publish.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/publish.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        // The script prints the output folder as its last line.
        return (await stdout).TrimEnd().Split('\n')[^1];
    }

    private static int FreeLoopbackPort()
    {
        // Port 0 makes the kernel choose a free port; another process could take it before
        // Kestrel binds, which then shows up as a startup failure with the log, not a silent pass.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
