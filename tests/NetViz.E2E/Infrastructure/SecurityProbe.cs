using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;

namespace NetViz.E2E.Infrastructure;

/// <summary>Checks of what docs/security.md promises, made from outside the app (HTTP, raw sockets, Chromium).</summary>
public static class SecurityProbe
{
    /// <summary>The headers every response carries (pages, API, SSE, static files, errors).</summary>
    public static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        string Header(string name) =>
            response.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
            : response.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c)
            : throw new Xunit.Sdk.XunitException($"{what}: no {name} header");
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header("Referrer-Policy"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        var csp = Header("Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp);
        // Scripts: our own files and one nonce'd inline script (Blazor's import map); nothing else inline, no eval.
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Matches(@"^script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'$", scriptSrc);
    }

    /// <summary>
    /// Sends a WebSocket upgrade request by hand (so Origin and Host are exactly as given, as a browser on another
    /// site would send them) to 127.0.0.1 and returns the status code of the answer (101 when the upgrade is accepted).
    /// </summary>
    public static async Task<int> WebSocketUpgradeStatusAsync(Uri baseAddress, string pathAndQuery, string origin, string? cookie = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, baseAddress.Port);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder()
            .Append($"GET {pathAndQuery} HTTP/1.1\r\n")
            .Append($"Host: {baseAddress.Authority}\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
            .Append($"Origin: {origin}\r\n");
        if (cookie is not null) request.Append($"Cookie: {cookie}\r\n");
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var statusLine = await reader.ReadLineAsync(timeout.Token) ?? throw new IOException("no answer to the upgrade request");
        return int.Parse(statusLine.Split(' ')[1]);
    }

    /// <summary>A connection token from the Blazor hub's negotiate endpoint (what a page does before its WebSocket).</summary>
    public static async Task<string> NegotiateBlazorAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("connectionToken").GetString()!;
    }

    /// <summary>
    /// Asserts no violation was recorded, then proves the watch works and the policy is enforced: an inline script
    /// without the nonce, added to the page, must be refused and reported.
    /// </summary>
    public static async Task AssertNoViolationAndInlineScriptRefusedAsync(IPage page, List<string> violations)
    {
        lock (violations) Assert.Empty(violations);
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__netvizInlineRan = true'; document.head.appendChild(s); }");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (violations) if (violations.Count > 0) break;
            if (DateTime.UtcNow > deadline) Assert.Fail("an inline script without the nonce was not reported as a CSP violation");
            await Task.Delay(100);
        }
        Assert.False(await page.EvaluateAsync<bool>("() => window.__netvizInlineRan === true"));
    }

    /// <summary>Records Content-Security-Policy violations of every page of a browser context (event and console).</summary>
    public static async Task<List<string>> WatchCspViolationsAsync(IBrowserContext context)
    {
        var violations = new List<string>();
        // Injected by the browser driver, so the CSP under test does not apply to this script itself.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));
            """);
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.StartsWith("CSP violation", StringComparison.Ordinal))
                lock (violations) violations.Add(message.Text);
        };
        return violations;
    }
}
