using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NetViz.Bench;

/// <summary>
/// The published app run the way run.sh runs it: <c>dotnet .publish/NetViz.Web.dll --urls ...</c> in Production
/// with the published folder as content root, default options. Its output goes to a log file.
/// </summary>
public sealed class NetVizApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _drain;

    private NetVizApp(Process process, StreamWriter log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
        _drain = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
    }

    public Uri Address { get; }
    public int Pid => _process.Id;
    public string LogPath { get; private init; } = "";

    /// <summary>scripts/publish.sh (a no-op when nothing changed), then starts the app on a free loopback port.</summary>
    public static async Task<NetVizApp> StartAsync(string repositoryRoot)
    {
        var publishDir = (await Commands.CheckedAsync(Path.Combine(repositoryRoot, "scripts", "publish.sh"))).Trim();
        var port = FreeLoopbackPort();
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        startInfo.ArgumentList.Add(Path.Combine(publishDir, "NetViz.Web.dll"));
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add(address.ToString().TrimEnd('/'));
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_CONTENTROOT"] = publishDir;
        var logPath = Path.Combine(Path.GetTempPath(), $"nvbench-live-app-{port}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start dotnet");
        var app = new NetVizApp(process, log, address) { LogPath = logPath };
        await app.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(15) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"NetViz exited with {_process.ExitCode}; see {LogPath}");
            try
            {
                using var response = await http.GetAsync("/api/topology");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"NetViz did not answer on {Address} within {timeout.TotalSeconds} s; see {LogPath}");
    }

    /// <summary>utime, stime, cutime, cstime from /proc/PID/stat, in clock ticks (proc(5)).</summary>
    public (long OwnTicks, long ChildrenTicks) CpuTicks()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the command name, which is in parentheses and may itself contain spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long F(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return (F(14) + F(15), F(16) + F(17));
    }

    /// <summary>A line of /proc/PID/status in kB, e.g. VmRSS or VmHWM.</summary>
    public long StatusKilobytes(string key)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task Pump(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (_log) _log.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
        await _process.WaitForExitAsync();
        await _drain;
        _process.Dispose();
        await _log.DisposeAsync();
    }

    public static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("run from inside the NetViz repository (NetViz.sln not found)");
    }
}
