using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NetViz.Web.Operations;

/// <summary>
/// The body of /healthz and /readyz: <c>{"status":"Degraded","checks":{"nat":{"status":"Degraded","description":"nat: tool not installed","error.type":"not_found"}}}</c>.
/// Only the check names, statuses, descriptions and error kinds the checks chose: no exception text.
/// </summary>
public static class HealthResponse
{
    public static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (entry.Description is not null) json.WriteString("description", entry.Description);
            if (entry.Data.TryGetValue("error.type", out var kind)) json.WriteString("error.type", kind.ToString());
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }
}
