using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace NetViz.Testing;

/// <summary>
/// The published NetViz.Web app (the same output `./run.sh` runs) started as a child process in Production mode on a
/// free loopback port, with the published folder as content root and default options. Production matters:
/// `dotnet run` outside Development serves 500 for _framework/* and _content/*, a failure only the published output
/// avoids. Shared by the end-to-end tests and the benchmarks.
/// </summary>
public sealed class PublishedNetVizServer : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    /// <summary>Lines of app output kept for failure messages (a benchmark runs the app for many minutes).</summary>
    private const int LogLines = 5000;

    private readonly Process _process;
    private readonly Queue<(long Number, string Text)> _log = new();
    private long _linesWritten;

    /// <summary>How to start the app beyond the defaults (loopback, no extra arguments).</summary>
    /// <param name="BindHost">The host in --urls: "127.0.0.1" (default), or "0.0.0.0" to test exposure. Requests always go to 127.0.0.1.</param>
    /// <param name="Arguments">More command-line arguments (--NetViz:Auth=None, ...).</param>
    /// <param name="AppDirectory">The published folder to run; null: NETVIZ_E2E_APP_DIR, else publish first.</param>
    public sealed record Options(string BindHost = "127.0.0.1", IReadOnlyList<string>? Arguments = null, string? AppDirectory = null);

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

    /// <summary>The app's process id, for /proc readings (the same after it re-executes itself to drop capabilities).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The app's stdout and stderr so far (the last lines), for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return string.Join(Environment.NewLine, _log.Select(l => l.Text)); }
    }

    /// <summary>
    /// How many lines the app has written so far: a mark for <see cref="LogSince"/>. It only grows, unlike
    /// <see cref="Log"/>, whose window drops its oldest lines (counting matches in it before and after a step
    /// would see a drop of an old line as a change).
    /// </summary>
    public long LogMark
    {
        get { lock (_log) return _linesWritten; }
    }

    /// <summary>The lines written after <paramref name="mark"/> (from <see cref="LogMark"/>) that are still kept.</summary>
    public IReadOnlyList<string> LogSince(long mark)
    {
        lock (_log) return _log.Where(l => l.Number >= mark).Select(l => l.Text).ToList();
    }

    /// <summary>
    /// Starts the app published in <paramref name="appDirectory"/>; without one, in the folder NETVIZ_E2E_APP_DIR
    /// names, else publishes it first if its sources changed (scripts/publish.sh, shared with run.sh). Returns once
    /// GET /api/topology answers, which it does after the first collection (or after its 10 s patience).
    /// </summary>
    public static Task<PublishedNetVizServer> StartAsync(string? appDirectory = null, CancellationToken cancellationToken = default) =>
        StartAsync(new Options(AppDirectory: appDirectory), cancellationToken);

    /// <summary>As <see cref="StartAsync(string?, CancellationToken)"/>, bound and configured as <paramref name="options"/> says.</summary>
    public static async Task<PublishedNetVizServer> StartAsync(Options options, CancellationToken cancellationToken = default)
    {
        var publishDirectory = options.AppDirectory is { Length: > 0 } appDirectory ? Path.GetFullPath(appDirectory)
            : Environment.GetEnvironmentVariable("NETVIZ_E2E_APP_DIR") is { Length: > 0 } given ? given
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
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
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

    /// <summary>Waits until a line of the app's output matches, and returns the match.</summary>
    public async Task<System.Text.RegularExpressions.Match> WaitForLogAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var line in LogSince(0))
                if (pattern.Match(line) is { Success: true } match) return match;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"No output line matched {pattern} within {timeout}:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>A client for plain HTTP checks against the app (no compression negotiated).</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GET /api/topology: the snapshot and its sequence number (the X-NetViz-Sequence header).</summary>
    public async Task<(string? Sequence, JsonDocument Snapshot)> GetTopologyAsync(CancellationToken cancellationToken = default)
    {
        using var client = CreateHttpClient();
        using var response = await client.GetAsync("api/topology", cancellationToken);
        response.EnsureSuccessStatusCode();
        var sequence = response.Headers.TryGetValues("X-NetViz-Sequence", out var values) ? values.FirstOrDefault() : null;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return (sequence, await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken));
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.Enqueue((_linesWritten++, line));
            while (_log.Count > LogLines) _log.Dequeue();
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var client = CreateHttpClient();
        client.Timeout = TimeSpan.FromSeconds(15);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"NetViz.Web exited with code {_process.ExitCode} while starting:\n{Log}");
            try
            {
                using var response = await client.GetAsync("api/topology", cancellationToken);
                // 200: the first collection is in. 401: exposed beyond loopback, so the API needs the token: it is
                // listening, and the tests that start it so judge the status codes themselves.
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
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

    private int _disposed;

    /// <summary>Stops the app; idempotent (a test may stop it early, as a crash would, and dispose it again at the end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
