using NetViz.Core.Privileges;

namespace NetViz.Web.Security;

/// <summary>
/// The first thing Program does: keep only the capabilities NetViz uses (<see cref="LinuxCapabilities.NeededBy"/>:
/// four as root, DAC_READ_SEARCH too as another user; plus NET_BIND_SERVICE when --urls names a port below 1024),
/// unless <c>NetViz:DropCapabilities=false</c>.
/// May re-execute the process (see <see cref="CapabilityDrop"/>), so it runs before anything else is started.
/// </summary>
public static class StartupPrivileges
{
    public static CapabilityDropOutcome Apply(string[] args)
    {
        // The same sources, in the same order, as the host's configuration, read early and cheaply.
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        if (!configuration.GetValue("NetViz:DropCapabilities", defaultValue: true))
            return new CapabilityDropOutcome(false, "NetViz:DropCapabilities=false: capabilities left as they are");

        var keep = LinuxCapabilities.NeededBy(isRoot: Environment.IsPrivilegedProcess).ToList();
        if (AllowedHostsPolicy.ConfiguredUrls(configuration).Any(PrivilegedPort)) keep.Add(LinuxCapabilities.NET_BIND_SERVICE);
        return CapabilityDrop.Apply(LinuxCapabilities.Mask(keep));
    }

    private static bool PrivilegedPort(string url)
    {
        try { return BindingAddress.Parse(url) is { IsUnixPipe: false, Port: > 0 and < 1024 }; }
        catch (FormatException) { return false; }
    }
}
