using System.Net;
using System.Net.NetworkInformation;

namespace NetViz.Web.Security;

/// <summary>
/// The Host header names NetViz answers to (ASP.NET Core host filtering: anything else gets 400). DNS rebinding
/// works by making the victim's browser send requests for an attacker's name to NetViz's address: refusing unknown
/// names stops it where no token does.
/// <list type="bullet">
/// <item>Always: <c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>, the hosts named in <c>--urls</c>, <c>NetViz:AllowedHosts</c>.</item>
/// <item>Bound to a wildcard (0.0.0.0, [::]) with a token required: any Host, unless <c>NetViz:AllowedHosts</c> is set.
/// A rebinding page cannot carry the login cookie (it is bound to the real name, SameSite=Strict) nor know the
/// token, so the token protects, and people may reach a team screen by any name or address.</item>
/// <item>Bound to a wildcard with <c>NetViz:Auth=None</c>: the machine's host names and the addresses of its
/// interfaces at start. An IP-literal Host cannot come from rebinding; names the operator adds go in NetViz:AllowedHosts.</item>
/// </list>
/// A standard <c>AllowedHosts</c> setting, when given, replaces all of this.
/// </summary>
public static class AllowedHostsPolicy
{
    public static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];

    /// <param name="urls">What Kestrel will bind (the <c>urls</c> setting and Kestrel:Endpoints:*:Url).</param>
    public static IReadOnlyList<string> Compute(IReadOnlyList<string> urls, NetVizSecurityOptions options, string? explicitAllowedHosts)
    {
        if (!string.IsNullOrWhiteSpace(explicitAllowedHosts)) return [.. NetVizSecurityOptions.List(explicitAllowedHosts)];

        var hosts = new List<string>(Loopback);
        foreach (var url in urls)
        {
            if (ListenExposure.IsWildcardUrl(url)) continue;
            try
            {
                var host = BindingAddress.Parse(url).Host;
                if (!string.IsNullOrEmpty(host)) hosts.Add(host);
            }
            catch (FormatException) { }
        }
        var configured = NetVizSecurityOptions.List(options.AllowedHosts).ToList();
        hosts.AddRange(configured);

        if (urls.Any(ListenExposure.IsWildcardUrl))
        {
            if (options.Auth != AuthMode.None && configured.Count == 0) return ["*"];
            if (options.Auth == AuthMode.None) hosts.AddRange(MachineNamesAndAddresses());
        }
        return [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static IEnumerable<string> MachineNamesAndAddresses()
    {
        var names = new List<string> { Dns.GetHostName(), Environment.MachineName };
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var address in nic.GetIPProperties().UnicastAddresses.Select(a => a.Address))
                    names.Add(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                        ? $"[{new IPAddress(address.GetAddressBytes())}]" // without %scope: a Host header never carries it
                        : address.ToString());
        }
        catch (NetworkInformationException) { }
        return names.Where(n => n.Length > 0);
    }

    /// <summary>The URLs Kestrel will bind, from the same settings it reads.</summary>
    public static IReadOnlyList<string> ConfiguredUrls(IConfiguration configuration)
    {
        var urls = NetVizSecurityOptions.List(configuration["urls"]).ToList();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) urls.Add(url);
        if (urls.Count == 0)
        {
            // Kestrel's own default when nothing is configured: http://localhost:5000; *_PORTS bind every interface.
            var ports = NetVizSecurityOptions.List(configuration["http_ports"]).Concat(NetVizSecurityOptions.List(configuration["https_ports"])).ToList();
            urls.AddRange(ports.Count > 0 ? ports.Select(p => "http://*:" + p) : ["http://localhost:5000"]);
        }
        return urls;
    }
}
