using System.Globalization;
using System.Text.Json;
using NetViz.Core.Live;
using NetViz.Core.Model;
using NetViz.Core.Paths;

namespace NetViz.Web.Api;

/// <summary><c>GET /api/path</c>: the packet path from one endpoint to another, explained over the current snapshot (docs/api.md).</summary>
public static class PathApi
{
    public static IEndpointRouteBuilder MapNetVizPathApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/path", GetPathAsync);
        return app;
    }

    private static readonly TimeSpan FirstSnapshotPatience = TimeSpan.FromSeconds(10);

    private static async Task GetPathAsync(HttpContext http, ITopologyFeed feed, IPathSysctlsSource sysctls)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!TryReadQuery(http.Request.Query, out var query, out var error))
        {
            await BadRequestAsync(http, error);
            return;
        }
        await feed.WaitForFirstSnapshotAsync(FirstSnapshotPatience, http.RequestAborted);
        var snapshot = feed.Current;
        PathExplanation explanation;
        try
        {
            explanation = Explain(snapshot, sysctls, query);
        }
        catch (PathQueryException e)
        {
            await BadRequestAsync(http, e.Message);
            return;
        }
        http.Response.Headers["X-NetViz-Sequence"] = feed.Sequence.ToString(CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, explanation, TopologyJson.Indented, http.RequestAborted);
    }

    /// <summary>The explanation over a snapshot with the host's current sysctls (the dashboard's path panel calls this too).</summary>
    public static PathExplanation Explain(TopologySnapshot snapshot, IPathSysctlsSource sysctls, PathQuery query)
    {
        var hostDevices = snapshot.Nodes.OfType<InterfaceNode>().Where(i => i.InHostNamespace).Select(i => i.Name);
        return PathExplainer.Explain(snapshot, sysctls.Read(hostDevices), query);
    }

    /// <summary>from, to (required, at most 256 characters), proto (tcp, udp, icmp; default tcp), port (1-65535; default 80 for tcp/udp).</summary>
    public static bool TryReadQuery(IQueryCollection q, out PathQuery query, out string error)
    {
        query = new PathQuery("", "", "tcp", null);
        error = "";
        foreach (var key in q.Keys)
        {
            if (key is not ("from" or "to" or "proto" or "port"))
            {
                error = $"unknown parameter '{(key.Length > 32 ? key[..32] + "…" : key)}' (from, to, proto, port)";
                return false;
            }
            if (q[key].Count > 1)
            {
                error = $"{key} is given more than once";
                return false;
            }
        }
        var from = q["from"].ToString();
        var to = q["to"].ToString();
        if (from.Length == 0 || to.Length == 0)
        {
            error = "from and to are required, e.g. /api/path?from=container:web&to=container:db&proto=tcp&port=80";
            return false;
        }
        if (from.Length > 256 || to.Length > 256)
        {
            error = "from and to are at most 256 characters";
            return false;
        }
        var proto = q["proto"].Count == 0 ? "tcp" : q["proto"].ToString().ToLowerInvariant();
        if (proto is not ("tcp" or "udp" or "icmp"))
        {
            error = "proto must be tcp, udp or icmp";
            return false;
        }
        int? port = null;
        if (q["port"].Count > 0)
        {
            if (!int.TryParse(q["port"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = "port must be a number from 1 to 65535";
                return false;
            }
            port = p;
        }
        else if (proto != "icmp") port = 80;
        query = new PathQuery(from, to, proto, proto == "icmp" ? null : port);
        return true;
    }

    private static async Task BadRequestAsync(HttpContext http, string error)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, new { error }, TopologyJson.Options, http.RequestAborted);
    }
}
