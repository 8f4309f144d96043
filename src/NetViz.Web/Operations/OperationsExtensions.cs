using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using NetViz.Core.Diagnostics;
using NetViz.Core.Live;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace NetViz.Web.Operations;

/// <summary>What an operator runs NetViz with: health endpoints, metrics, structured logs, systemd integration.</summary>
public static class OperationsExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string MetricsPath = "/metrics";
    private const string ReadyTag = "ready";

    /// <summary>
    /// Registers metrics (OpenTelemetry with the Prometheus exporter, OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set),
    /// the readiness checks, the log format and systemd integration. Call after AddNetVizCore.
    /// </summary>
    public static WebApplicationBuilder AddNetVizOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddNetVizMetrics();
        services.AddOptions<NetVizHealthOptions>().Bind(configuration.GetSection(NetVizHealthOptions.Section));

        // Type=notify and journald's level prefixes when systemd runs the process; nothing otherwise.
        services.AddSystemd();
        ConfigureLogFormat(services, configuration);

        services.AddHealthChecks()
            .AddCheck<LiveFeedHealthCheck>("feed", tags: [ReadyTag])
            .AddSourceCheck(SourceNames.Docker)
            .AddSourceCheck(SourceNames.Netlink)
            .AddSourceCheck(SourceNames.Nat);

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("netviz", serviceVersion: BuildInfo.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(NetVizMetrics.MeterName)
                    // http.server.request.duration and the Blazor circuits (browser tabs) ASP.NET Core already measures.
                    .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Components.Server.Circuits")
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                    metrics.AddOtlpExporter();
            });
        return builder;
    }

    /// <summary>Maps /healthz (liveness), /readyz (readiness) and /metrics (Prometheus text).</summary>
    public static WebApplication MapNetVizOperations(this WebApplication app)
    {
        // Liveness runs no check: the process answers HTTP. A failing source must not get NetViz restarted.
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync })
            .AllowAnonymous();
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static IHealthChecksBuilder AddSourceCheck(this IHealthChecksBuilder checks, string source) =>
        checks.Add(new HealthCheckRegistration(source,
            sp => new SourceHealthCheck(source, sp.GetRequiredService<ITopologyFeed>(), sp.GetRequiredService<NetVizMetrics>(),
                sp.GetRequiredService<IOptions<NetVizHealthOptions>>()),
            failureStatus: null, tags: [ReadyTag]));

    /// <summary>
    /// <c>--NetViz:LogFormat=json</c> (or the standard <c>--Logging:Console:FormatterName=json</c>): one JSON object per
    /// line. Applied after everything else so it also wins over the journald format AddSystemd picks under systemd.
    /// </summary>
    private static void ConfigureLogFormat(IServiceCollection services, IConfiguration configuration)
    {
        var format = configuration["NetViz:LogFormat"];
        var formatter = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) ? ConsoleFormatterNames.Json
            : configuration["Logging:Console:FormatterName"];
        if (string.IsNullOrWhiteSpace(formatter)) return;
        services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
        services.PostConfigure<JsonConsoleFormatterOptions>(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
    }
}
