using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Operations;

/// <summary>
/// The real NetViz.Web app as a child process (`dotnet NetViz.Web.dll`, the build output copied beside the tests),
/// in Production mode on a free loopback port, with its stdout kept line by line (the logs under test).
/// </summary>
public sealed class NetVizProcess : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private NetVizProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    /// <summary>Every stdout line so far, in order.</summary>
    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    public string Output => string.Join('\n', _stdout) + "\n--- stderr ---\n" + string.Join('\n', _stderr);

    private static string AppDll => Path.Combine(AppContext.BaseDirectory, "NetViz.Web.dll");

    /// <summary>Starts the app with these command-line arguments and environment, and waits until it answers /healthz.</summary>
    /// <param name="baseAddress">Where to listen; null: a free loopback port (a restart on the same address passes the old one).</param>
    /// <param name="netns">An `ip netns` to run it in (a simulated host), or null for this one.</param>
    public static async Task<NetVizProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, Uri? baseAddress = null,
        string? netns = null)
    {
        baseAddress ??= new Uri($"http://127.0.0.1:{DockerCli.FreeLoopbackPort()}/");
        var startInfo = Prepare(["--urls", baseAddress.GetLeftPart(UriPartial.Authority), .. args], environment);
        if (netns is not null)
        {
            // ip netns exec execs the program in place: the process (and its id, which Kill uses) is dotnet's.
            startInfo.ArgumentList.Insert(0, startInfo.FileName);
            foreach (var a in new[] { "netns", "exec", netns }.Reverse()) startInfo.ArgumentList.Insert(0, a);
            startInfo.FileName = "ip";
        }
        var process = new Process { StartInfo = startInfo };
        var app = new NetVizProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app._stdout.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app._stderr.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitForAsync(async () => (await app.Http.GetAsync("/healthz")).IsSuccessStatusCode, "the app to answer /healthz");
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>Runs the app to completion (for switches such as --version) and returns its exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Stdout)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Prepare(args, null))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(cts.Token);
        await stderr;
        return (process.ExitCode, await stdout);
    }

    private static ProcessStartInfo Prepare(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(AppDll);
        foreach (var a in args) startInfo.ArgumentList.Add(a);
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_CONTENTROOT"] = AppContext.BaseDirectory;
        startInfo.Environment.Remove("DOCKER_HOST");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) startInfo.Environment[k] = v;
        return startInfo;
    }

    /// <summary>GET a health endpoint: the status code and the parsed body.</summary>
    public async Task<(int Status, JsonElement Body)> HealthAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body);
    }

    /// <summary>GET /metrics, parsed (throws on anything that is not valid Prometheus text).</summary>
    public async Task<PrometheusText> MetricsAsync()
    {
        using var response = await Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls until the condition holds; fails with what it waited for and the app's output.</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"NetViz exited ({_process.ExitCode}) while waiting for {what}:\n{Output}");
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
            }
            if (deadline.Elapsed > Patience)
                throw new Xunit.Sdk.XunitException($"Timed out after {Patience.TotalSeconds} s waiting for {what} ({last?.Message}):\n{Output}");
            await Task.Delay(200);
        }
    }

    private int _disposed;

    /// <summary>Kills the app (idempotent: a test may stop it early, as a crash would, and dispose it again at the end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
