using Azure.Data.Tables;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.ServiceDefaults;

/// <summary>Ready when this process's silo is an active member of the cluster.</summary>
internal sealed class SiloActiveHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Silo is {oracle.CurrentStatus}"));
}

/// <summary>Ready when a web node in Client topology can reach a silo: one cheap call to the management grain.</summary>
internal sealed class ClusterReachableHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silos") : HealthCheckResult.Unhealthy("No active silo");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer: " + ex.Message);
        }
    }
}

/// <summary>Ready when storage answers a cheap query within 2 s (a silo without storage cannot keep a post).</summary>
internal sealed class StorageHealthCheck(string connectionString) : IHealthCheck
{
    private readonly TableServiceClient _client = new(connectionString, new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } });

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in _client.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages()) break;
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Storage does not answer: " + ex.Message);
        }
    }
}
