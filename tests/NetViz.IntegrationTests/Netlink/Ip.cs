using System.Diagnostics;
using System.Text.Json;

namespace NetViz.IntegrationTests.Netlink;

/// <summary>Runs iproute2 (and stat): how the tests build fixtures and read the ground truth independently of NetViz.</summary>
internal static class Ip
{
    public static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }

    /// <summary>`ip ARGS`, failing the test on error.</summary>
    public static string Cmd(string args) => Run("ip", args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>`ip ARGS` for cleanup: errors (already gone) are ignored.</summary>
    public static void TryCmd(string args)
    {
        try
        {
            Cmd(args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static JsonElement Json(string args) => JsonDocument.Parse(Cmd(args)).RootElement.Clone();

    /// <summary>The nsfs inode behind a path, by stat(1) following the link.</summary>
    public static ulong Inode(string path) => ulong.Parse(Run("stat", "-L", "-c", "%i", path).Trim());

    public static int IndexOf(JsonElement ipLink, string name)
        => ipLink.EnumerateArray().Single(l => l.GetProperty("ifname").GetString() == name).GetProperty("ifindex").GetInt32();
}
