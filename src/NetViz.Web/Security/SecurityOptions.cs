namespace NetViz.Web.Security;

/// <summary>Who may open the dashboard and the API (setting <c>NetViz:Auth</c>).</summary>
public enum AuthMode
{
    /// <summary>No login while NetViz listens only on loopback addresses; a token as soon as it listens on anything else.</summary>
    Auto,
    /// <summary>A token always, even on loopback (for a multi-user machine).</summary>
    Token,
    /// <summary>No login even when exposed: an explicit opt-in, warned about at start and on every page.</summary>
    None,
}

/// <summary>The security settings under "NetViz" (docs/security.md).</summary>
public sealed class NetVizSecurityOptions
{
    /// <summary><c>NetViz:Auth</c>: Auto (default), Token, or None.</summary>
    public AuthMode Auth { get; set; } = AuthMode.Auto;

    /// <summary>
    /// <c>NetViz:AuthToken</c>: the token to log in with. Empty: a random one per start, printed as a login URL.
    /// At least <see cref="AccessToken.MinimumLength"/> characters.
    /// </summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// <c>NetViz:AllowedHosts</c>: extra Host header names accepted, ';'-separated (the names people type to reach a
    /// team screen, e.g. <c>netviz.lab.example</c>). Loopback names and the hosts named in --urls are always accepted.
    /// </summary>
    public string? AllowedHosts { get; set; }

    /// <summary>
    /// <c>NetViz:AllowedOrigins</c>: extra browser origins (<c>https://netviz.lab.example</c>) accepted for WebSocket and
    /// fetch requests, ';'-separated: needed behind a TLS-terminating proxy, where the page's origin is not the
    /// scheme and host NetViz itself sees.
    /// </summary>
    public string? AllowedOrigins { get; set; }

    internal static IEnumerable<string> List(string? value) =>
        (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
