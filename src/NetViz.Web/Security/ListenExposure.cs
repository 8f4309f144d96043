using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace NetViz.Web.Security;

/// <summary>
/// Whether NetViz listens beyond loopback, and so whether a request needs the token. Fail-closed: until Kestrel has
/// bound and reported its addresses, and for any request that arrived on a non-loopback local address, a token is
/// required (in Auto mode).
/// </summary>
public sealed class ListenExposure(IOptions<NetVizSecurityOptions> options)
{
    private volatile IReadOnlyList<string>? _addresses;

    public AuthMode Mode { get; } = options.Value.Auth;

    /// <summary>The addresses Kestrel listens on, once it has bound them.</summary>
    public IReadOnlyList<string> Addresses => _addresses ?? [];

    /// <summary>True once the addresses are known and any of them is not a loopback address.</summary>
    public bool IsExposed => _addresses is not { } addresses || addresses.Any(a => !IsLoopbackUrl(a));

    /// <summary>Exposed with <see cref="AuthMode.None"/>: anyone who can reach the port sees everything (warned, bannered).</summary>
    public bool IsUnsecuredAndExposed => Mode == AuthMode.None && IsExposed;

    /// <summary>Takes the bound addresses from the server (called once it started).</summary>
    public void Resolve(IServer server) =>
        _addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    public bool RequiresToken(HttpContext context) => Mode switch
    {
        AuthMode.None => false,
        AuthMode.Token => true,
        _ => IsExposed || context.Connection.LocalIpAddress is not { } local || !IPAddress.IsLoopback(local),
    };

    /// <summary>"http://127.0.0.1:5000", "http://[::1]:5000", "http://localhost:5000": loopback. Wildcards, names, unix sockets: not.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        BindingAddress binding;
        try { binding = BindingAddress.Parse(url); }
        catch (FormatException) { return false; }
        if (binding.IsUnixPipe || binding.IsNamedPipe) return false;
        var host = binding.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>0.0.0.0, [::], * and + bind every interface.</summary>
    public static bool IsWildcardUrl(string url)
    {
        BindingAddress binding;
        try { binding = BindingAddress.Parse(url); }
        catch (FormatException) { return false; }
        var host = binding.Host.Trim('[', ']');
        return host is "*" or "+" || (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
    }
}
