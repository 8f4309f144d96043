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

    /// <summary>
    /// Waits until IPv6 has settled on the links of a namespace (all of them, or only <paramref name="links"/>):
    /// every administratively up link other than lo is operationally up (vxlan says unknown), has its fe80::
    /// link-local address, and no address is still tentative. Until then the kernel itself keeps changing the
    /// namespace after `ip` has returned: link-local addresses appear when the carrier comes up, and each address's
    /// local route is added only when its duplicate address detection ends (about a second, longer on a busy
    /// machine). Fails naming what is still unsettled.
    /// </summary>
    public static void WaitUntilSettled(string? ns, params string[] links) => Eventually.Passes($"IPv6 settled in {ns ?? "the host"}", () =>
    {
        var unsettled = new List<string>();
        foreach (var link in Json($"{(ns is null ? "" : $"-n {ns} ")}-j addr show").EnumerateArray())
        {
            var name = link.GetProperty("ifname").GetString()!;
            var up = link.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP");
            if ((links.Length > 0 && !links.Contains(name)) || !up || link.GetProperty("link_type").GetString() == "loopback") continue;
            var operState = link.GetProperty("operstate").GetString();
            var addresses = link.GetProperty("addr_info").EnumerateArray().ToList();
            if (operState is not ("UP" or "UNKNOWN")) unsettled.Add($"{name} is {operState}");
            if (!addresses.Any(a => a.GetProperty("family").GetString() == "inet6" && a.GetProperty("scope").GetString() == "link"))
                unsettled.Add($"{name} has no link-local address yet");
            unsettled.AddRange(addresses.Where(a => a.TryGetProperty("tentative", out var t) && t.GetBoolean())
                .Select(a => $"{name} {a.GetProperty("local").GetString()} is tentative"));
        }
        Assert.True(unsettled.Count == 0, string.Join("; ", unsettled));
    });

    public static int IndexOf(JsonElement ipLink, string name)
        => ipLink.EnumerateArray().Single(l => l.GetProperty("ifname").GetString() == name).GetProperty("ifindex").GetInt32();
}
