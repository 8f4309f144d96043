using System.Diagnostics;
using NetViz.IntegrationTests.Docker;

namespace NetViz.IntegrationTests.Engine;

/// <summary>
/// A Docker engine that belongs to one test fixture: its own containerd and dockerd, with everything they keep
/// under /var/tmp/nvpe-PID-NAME (data root, exec root, sockets, pid files, config, key, log), running in a network
/// namespace of their own (`ip netns` nvpe-PID-NAME). Tests that stop or restart an engine do it to this one; the
/// host's engine, and every container on it, is never touched.
/// Why each piece:
/// - Its own network namespace: dockerd 20.10 started with <c>--bridge none</c> deletes any link named docker0 in
///   the namespace it runs in (daemon_unix.go, removeDefaultBridgeInterface); run beside the host's engine it took
///   the host's docker0 away. In a namespace of its own, links, routes and iptables rules it might make stay there.
/// - <c>--bridge none</c>, <c>--iptables=false</c>, <c>--ip-forward=false</c>: no bridge, no rules, no sysctl even
///   in that namespace; containers get <c>--network none</c>.
/// - Its own containerd: dockerd 20.10 uses /run/containerd/containerd.sock whenever that socket exists (checked
///   here: it then starts none of its own), and two dockerds on one containerd share its "moby" namespace.
/// - Its own daemon.json and key file: otherwise dockerd reads /etc/docker/daemon.json and creates /etc/docker/key.json.
/// The unix API socket is a file, so the host's namespace (and NetViz) reach it by path.
/// Leftovers of an interrupted run (the owning test process is gone) are removed by <see cref="SweepLeftovers"/>.
/// </summary>
public sealed class PrivateDockerEngine : IDisposable
{
    /// <summary>Name prefix of everything the private-engine tests create (directories, containers, links).</summary>
    public const string Prefix = "nvpe";

    private const string Parent = "/var/tmp";
    private const string NetnsFolder = "/var/run/netns";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Process? _dockerd;

    private readonly bool _firewall;

    private PrivateDockerEngine(string name, bool firewall)
    {
        Name = name;
        Directory = Path.Combine(Parent, name);
        _firewall = firewall;
    }

    /// <summary>nvpe-PID-NAME: the name of its folder and of its network namespace.</summary>
    public string Name { get; }

    /// <summary>The folder holding all of this engine's state.</summary>
    public string Directory { get; }

    /// <summary>The engine's API socket, as NetViz:DockerHost and docker -H take it.</summary>
    public string Endpoint => "unix://" + Path.Combine(RunDirectory, "docker.sock");

    private string RunDirectory => Path.Combine(Directory, "run");
    private string ContainerdSocket => Path.Combine(RunDirectory, "containerd.sock");
    private string LogFile => Path.Combine(Directory, "engine.log");

    /// <summary>Starts containerd and dockerd in a fresh folder and loads the lab image into the engine (offline).</summary>
    /// <param name="name">Part of the folder and namespace name.</param>
    /// <param name="firewall">
    /// Let dockerd write iptables and ip6tables rules (<c>--iptables --ip6tables --experimental</c>, as Docker 20.10 needs
    /// for IPv6 rules): they go to the engine's own namespace, never the host's.
    /// </param>
    public static PrivateDockerEngine Start(string name, bool firewall = false)
    {
        SweepLeftovers();
        var engine = new PrivateDockerEngine($"{Prefix}-{Environment.ProcessId}-{name}", firewall);
        Remove(engine.Name); // this process's own, from a fixture that did not get to dispose
        try
        {
            DockerCli.Must("ip", "netns", "add", engine.Name);
            engine.WriteConfiguration();
            engine.StartContainerd();
            engine.StartDockerd();
            // The same offline import ./test.sh does for the host engine, aimed at this one.
            DockerCli.Must("env", $"DOCKER_HOST={engine.Endpoint}", Path.Combine(RepositoryRoot(), "scripts", "build-lab-image.sh"), DockerCli.Image);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        return engine;
    }

    /// <summary><c>docker -H ENDPOINT ARGS</c>; exit code 0 required, trimmed stdout returned.</summary>
    public string Docker(params string[] args) => DockerCli.Must("docker", ["-H", Endpoint, .. args]);

    /// <summary>Starts (or restarts) dockerd on the existing folder and waits until it answers.</summary>
    public void StartDockerd()
    {
        var run = RunDirectory;
        string[] firewall = _firewall ? ["--iptables=true", "--ip6tables", "--experimental"] : ["--iptables=false", "--ip-masq=false"];
        _dockerd = Spawn("dockerd", [
            "--host", Endpoint, "--containerd", ContainerdSocket,
            "--data-root", Path.Combine(Directory, "data"), "--exec-root", Path.Combine(run, "exec"),
            "--pidfile", Path.Combine(run, "docker.pid"), "--config-file", Path.Combine(Directory, "daemon.json"),
            "--bridge", "none", "--ip-forward=false", .. firewall]);
        WaitUntil("dockerd answers on " + Endpoint, _dockerd, () => DockerCli.Run("docker", "-H", Endpoint, "version").ExitCode == 0);
    }

    /// <summary>
    /// Stops dockerd the way an operator does (SIGTERM: it closes its API, then stops its containers) and returns
    /// when the process has exited. containerd keeps running, as a system containerd would.
    /// </summary>
    public Task StopDockerdAsync()
    {
        var dockerd = _dockerd ?? throw new InvalidOperationException("dockerd is not running");
        DockerCli.Must("kill", "-TERM", dockerd.Id.ToString());
        return dockerd.WaitForExitAsync().WaitAsync(Patience);
    }

    public void Dispose() => Remove(Name);

    /// <summary>Removes engines (folders, namespaces) left by test processes that are gone, with all they hold.</summary>
    public static void SweepLeftovers()
    {
        var names = System.IO.Directory.GetDirectories(Parent, Prefix + "-*")
            .Concat(System.IO.Directory.Exists(NetnsFolder) ? System.IO.Directory.GetFiles(NetnsFolder, Prefix + "-*") : [])
            .Select(Path.GetFileName).OfType<string>().Distinct();
        foreach (var name in names)
        {
            var owner = name.Split('-') is [_, var pid, ..] && int.TryParse(pid, out var p) ? p : 0;
            if (owner != Environment.ProcessId && !System.IO.Directory.Exists($"/proc/{owner}")) Remove(name);
        }
    }

    private void WriteConfiguration()
    {
        System.IO.Directory.CreateDirectory(RunDirectory);
        File.WriteAllText(Path.Combine(Directory, "containerd.toml"), $"""
            version = 2
            root = "{Path.Combine(Directory, "containerd")}"
            state = "{Path.Combine(RunDirectory, "containerd")}"
            # No CRI (Docker's own managed containerd disables it too); nothing under /opt/containerd.
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{ContainerdSocket}"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{Path.Combine(Directory, "opt")}"
            """);
        // dockerd 20.10 otherwise creates /etc/docker/key.json and reads /etc/docker/daemon.json.
        File.WriteAllText(Path.Combine(Directory, "daemon.json"), $$"""{ "deprecated-key-path": "{{Path.Combine(Directory, "key.json")}}" }""");
    }

    private void StartContainerd()
    {
        var containerd = Spawn("containerd", "--config", Path.Combine(Directory, "containerd.toml"));
        File.WriteAllText(Path.Combine(RunDirectory, "containerd.pid"), containerd.Id.ToString());
        WaitUntil("containerd listens on " + ContainerdSocket, containerd, () => File.Exists(ContainerdSocket));
    }

    /// <summary>
    /// Starts a daemon in the engine's network namespace (nsenter changes only that, not the mount namespace, so
    /// its mounts stay visible to the sweep), output appended to the engine's log rather than the test host's console.
    /// nsenter and sh both exec: the process is the daemon itself.
    /// </summary>
    private Process Spawn(string file, params string[] args)
    {
        var info = new ProcessStartInfo("nsenter") { UseShellExecute = false };
        foreach (var a in (string[])[$"--net={Path.Combine(NetnsFolder, Name)}", "--", "sh", "-c", "exec \"$0\" \"$@\" >>\"$LOG\" 2>&1 </dev/null", file, .. args])
            info.ArgumentList.Add(a);
        info.Environment["LOG"] = LogFile;
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
    }

    private void WaitUntil(string what, Process process, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited || clock.Elapsed > Patience)
                throw new InvalidOperationException($"{what}: {(process.HasExited ? $"exited with {process.ExitCode}" : $"not within {Patience.TotalSeconds} s")}. Log:\n{Tail(LogFile)}");
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Stops and deletes an engine: dockerd first (it stops its containers), then any process of a container it
    /// made, then whatever still runs from its folder (containerd, shims), then its mounts, files and namespace.
    /// Every process is identified by the folder in its command line or by a container id of this engine, so
    /// nothing else on the machine is touched.
    /// </summary>
    private static void Remove(string name)
    {
        var directory = Path.Combine(Parent, name);
        if (System.IO.Directory.Exists(directory))
        {
            var run = Path.Combine(directory, "run");
            Terminate(PidFromFile(Path.Combine(run, "docker.pid"), directory));
            var containers = System.IO.Directory.Exists(Path.Combine(directory, "data", "containers"))
                ? System.IO.Directory.GetDirectories(Path.Combine(directory, "data", "containers")).Select(Path.GetFileName).OfType<string>().ToList()
                : [];
            foreach (var pid in Processes(text => containers.Any(id => text.Contains(id)), "cgroup")) Kill(pid);
            foreach (var pid in Processes(text => text.Contains(directory + "/"), "cmdline")) Terminate(pid);
            var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
                .Where(m => m.StartsWith(directory + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length);
            foreach (var mount in mounts) DockerCli.Run("umount", "-l", mount);
            DockerCli.Must("rm", "-rf", "--one-file-system", directory);
        }
        if (File.Exists(Path.Combine(NetnsFolder, name))) DockerCli.Must("ip", "netns", "del", name);
    }

    private static int? PidFromFile(string pidFile, string directory) =>
        File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)
        && Processes(text => text.Contains(directory + "/"), "cmdline").Contains(pid) ? pid : null;

    /// <summary>Pids whose /proc/PID/FILE (NUL-separated command line, or cgroup) matches.</summary>
    private static List<int> Processes(Func<string, bool> match, string file)
    {
        var pids = new List<int>();
        foreach (var entry in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (match(File.ReadAllText(Path.Combine(entry, file)).Replace('\0', ' '))) pids.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within the patience.</summary>
    private static void Terminate(int? pid)
    {
        if (pid is not { } p) return;
        DockerCli.Run("kill", "-TERM", p.ToString());
        var clock = Stopwatch.StartNew();
        while (System.IO.Directory.Exists($"/proc/{p}") && !IsZombie(p) && clock.Elapsed < Patience) Thread.Sleep(100);
        Kill(p);
    }

    private static void Kill(int pid) => DockerCli.Run("kill", "-KILL", pid.ToString());

    private static bool IsZombie(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Tail(string file) =>
        File.Exists(file) ? string.Join('\n', File.ReadLines(file).TakeLast(30)) : "(no log)";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetViz.sln not found above " + AppContext.BaseDirectory);
    }
}
