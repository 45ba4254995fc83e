using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Chat.ServiceDefaults;

/// <summary>
/// Health and metrics endpoints, the same in both hosts (Chat.Web and Chat.Silo): each host calls
/// AddChatServiceDefaults on its builder and MapChatDefaultEndpoints on its app.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks with this tag decide /health/ready.</summary>
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddChatServiceDefaults(this WebApplicationBuilder builder)
    {
        // "System.Runtime": the runtime's own meter (working set, GC heap sizes, thread pool), so that
        // memory per connection can be read from /metrics where /proc is out of reach (a pod).
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ChatMeter.Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "System.Runtime")
            .AddPrometheusExporter());
        // The checks that decide readiness come with the Orleans role: AddChatSilo (silo active,
        // storage answers) or AddChatClient (a silo answers).
        builder.Services.AddHealthChecks().AddCheck<StoppingHealthCheck>("stopping", tags: [ReadyTag]);
        // Build info as Prometheus has it for every service: a gauge of 1 whose labels say the version.
        builder.Services.AddSingleton(new BuildInfoMetric(builder.Environment.ApplicationName));
        return builder;
    }

    /// <summary>
    /// chat_build_info{version, commit, host} 1 and chat_process_start_time_seconds: what every
    /// Prometheus-watched service exposes (a start time that changes under the same pod is a restart).
    /// </summary>
    private sealed class BuildInfoMetric : IDisposable
    {
        private readonly System.Diagnostics.Metrics.Meter _meter = new(ChatMeter.Name);

        public BuildInfoMetric(string host)
        {
            _meter.CreateObservableGauge("chat.build.info", () => new System.Diagnostics.Metrics.Measurement<int>(1,
                new("version", BuildInfo.Version), new("commit", BuildInfo.Commit), new("host", host)),
                description: "1, labelled with this host's version, commit and kind (Chat.Web, Chat.Silo)");
            var started = new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime).ToUnixTimeMilliseconds() / 1000.0;
            _meter.CreateObservableGauge("chat.process.start_time", () => started, unit: "s", description: "When this process started, in seconds since the Unix epoch");
        }

        public void Dispose() => _meter.Dispose();
    }

    public static WebApplication MapChatDefaultEndpoints(this WebApplication app)
    {
        // Live: the process answers. Ready: it can serve (silo active in the cluster, storage answers).
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        var host = app.Environment.ApplicationName;
        // The metric's instance is made on first resolve: resolve it now, so that /metrics has it at once.
        app.Services.GetRequiredService<BuildInfoMetric>();
        // Likewise the silo's own instruments (membership, storage errors), so that they are 0, not absent, until something happens.
        app.Services.GetService<ClusterMetrics>();
        app.Services.GetService<Chat.Grains.ChatMetrics>();
        app.MapGet("/api/version", () => new { version = BuildInfo.Version, commit = BuildInfo.Commit, host });
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("{Host} {Version} started (commit {Commit})", host, BuildInfo.Version, BuildInfo.Commit));
        return app;
    }
    /// <summary>Unready from the moment shutdown begins, so a load balancer stops sending new work here.</summary>
    private sealed class StoppingHealthCheck(Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
                ? HealthCheckResult.Unhealthy("Shutting down")
                : HealthCheckResult.Healthy());
    }
}
