using Azure.Data.Tables;
using Chat.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Versions.Compatibility;
using Orleans.Versions.Selector;

namespace Chat.ServiceDefaults;

/// <summary>
/// The two Orleans roles a host can take: a silo of the chat cluster (Chat.Silo always, Chat.Web when
/// co-hosting) or a client of one (Chat.Web in Client topology). Both read the same keys, so a silo
/// and a web node configured alike find each other.
/// </summary>
public static class OrleansHostingExtensions
{
    /// <summary>
    /// A whole silo of the chat cluster: membership in Azure Tables, explicit endpoints, the dashboard's
    /// collectors, readiness checks, and the chat grains with their storage.
    /// </summary>
    public static ISiloBuilder AddChatSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = ChatConfiguration.RequireConnectionString(configuration);
        var cluster = ChatConfiguration.ReadClusterOptions(configuration);
        var endpoints = ChatConfiguration.ReadSiloEndpoints(configuration);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        silo.ConfigureEndpoints(endpoints.ParseAdvertisedIp(), endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Chat:Membership"));
        // Grain interface versioning for rolling upgrades (docs/operations.md, "Upgrades"): a release
        // that adds methods to a grain interface raises its [Version]; an activation of a newer
        // version serves callers of an older one, never the reverse, and a new activation may go
        // to any silo that serves the caller's version. Set here, not left to Orleans' defaults,
        // because the upgrade order in the docs depends on them.
        silo.Configure<GrainVersioningOptions>(o =>
        {
            o.DefaultCompatibilityStrategy = nameof(BackwardCompatible);
            o.DefaultVersionSelectorStrategy = nameof(AllCompatibleVersions);
        });
        // In a pod: a deleted pod's silo is declared dead at once (the package watches the pods
        // labelled with this cluster's ids), and the silo is named after its pod.
        if (ChatConfiguration.UseKubernetesHosting(endpoints, Environment.GetEnvironmentVariable)) silo.UseKubernetesHosting();
        // The Orleans Dashboard's grains and statistics; the web host serves its UI at /dashboard.
        silo.AddDashboard();
        silo.Services.AddSingleton<ClusterMetrics>();
        silo.Services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck("storage", new StorageHealthCheck(connectionString), tags: [ServiceDefaultsExtensions.ReadyTag]);
        return silo.AddChatGrains(configuration, connectionString);
    }

    /// <summary>
    /// A web node as an Orleans client of a separate silo tier: finds gateways in the membership
    /// table (or a static list), and keeps retrying until one answers so that start-up order
    /// between silos and web nodes does not matter.
    /// </summary>
    public static IClientBuilder AddChatClient(this IClientBuilder client, IConfiguration configuration)
    {
        var cluster = ChatConfiguration.ReadClusterOptions(configuration);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = cluster.GatewayListRefreshPeriod);
        if (cluster.Gateways.Length > 0)
        {
            client.UseStaticClustering(cluster.Gateways.Select(ChatConfiguration.ParseGateway).ToArray());
        }
        else
        {
            var connectionString = ChatConfiguration.RequireConnectionString(configuration);
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        }
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        });
        client.AddDashboard(); // the silos collect; a web node serves the UI
        client.Services.AddHealthChecks().AddCheck<ClusterReachableHealthCheck>("cluster", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return client;
    }
}
