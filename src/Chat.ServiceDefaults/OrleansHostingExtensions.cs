using System.Net;
using Azure.Data.Tables;
using Chat.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
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
        var connectionString = ChatConfiguration.RequireConnectionString(silo.Services, configuration);
        // Orleans' options follow ours, so that the validated Chat:Cluster and Chat:Silo are the one
        // source (checked at start, before the silo starts).
        silo.Services.AddChatClusterOptions(configuration);
        silo.Services.AddChatOptions<SiloEndpointOptions, SiloEndpointOptionsValidator>(configuration, SiloEndpointOptions.Section);
        silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) =>
        {
            o.ClusterId = cluster.Value.ClusterId;
            o.ServiceId = cluster.Value.ServiceId;
        });
        silo.Services.AddOptions<SiloMessagingOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) => o.ResponseTimeout = cluster.Value.ResponseTimeout);
        // As Orleans' ConfigureEndpoints(ip, siloPort, gatewayPort, listenOnAnyHostAddress: true).
        silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<SiloEndpointOptions>>((o, options) =>
        {
            var endpoints = options.Value;
            o.AdvertisedIPAddress = IPAddress.Parse(endpoints.AdvertisedIp);
            o.SiloPort = endpoints.SiloPort;
            o.GatewayPort = endpoints.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, endpoints.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, endpoints.GatewayPort);
        });
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
        // Decided now (it adds services), from the key alone; the rest of Chat:Silo is checked at start.
        var kubernetes = new SiloEndpointOptions { KubernetesHosting = configuration.GetValue<bool>($"{SiloEndpointOptions.Section}:{nameof(SiloEndpointOptions.KubernetesHosting)}") };
        if (ChatConfiguration.UseKubernetesHosting(kubernetes, Environment.GetEnvironmentVariable)) silo.UseKubernetesHosting();
        // Decided now (it adds services), from the key alone. Only threads move (the other grains are
        // [Immovable] for it): they carry their memory over (ThreadHandover).
        if (configuration.GetValue<bool>($"{ChatClusterOptions.Section}:{nameof(ChatClusterOptions.ActivationRebalancing)}"))
        {
            // Two balancers would move threads at each other.
            if (configuration.GetValue<bool>("Chat:Threads:Balancing"))
                throw new InvalidOperationException($"Configuration keys {ChatClusterOptions.Section}:{nameof(ChatClusterOptions.ActivationRebalancing)} and Chat:Threads:Balancing are both true; turn one off (Chat:Threads:Balancing balances threads alone, docs/operations.md).");
#pragma warning disable ORLEANSEXP002 // experimental in Orleans 10; off by default, measured in docs/operations.md
            silo.AddActivationRebalancer();
            silo.Services.AddOptions<ActivationRebalancerOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) => o.RebalancerDueTime = cluster.Value.RebalancerDueTime);
#pragma warning restore ORLEANSEXP002
        }
        // The Orleans Dashboard's grains and statistics; the web host serves its UI at /dashboard.
        silo.AddDashboard(DashboardCounters);
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
        client.Services.AddChatClusterOptions(configuration);
        client.Services.AddOptions<ClusterOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) =>
        {
            o.ClusterId = cluster.Value.ClusterId;
            o.ServiceId = cluster.Value.ServiceId;
        });
        client.Services.AddOptions<ClientMessagingOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) => o.ResponseTimeout = cluster.Value.ResponseTimeout);
        client.Services.AddOptions<GatewayOptions>().Configure<IOptions<ChatClusterOptions>>((o, cluster) => o.GatewayListRefreshPeriod = cluster.Value.GatewayListRefreshPeriod);
        // Static gateways or the membership table: decided now (they add different services), from
        // whether the list has entries; the entries themselves are checked at start.
        if (configuration.GetSection($"{ChatClusterOptions.Section}:{nameof(ChatClusterOptions.Gateways)}").Get<string[]>() is { Length: > 0 })
        {
            client.UseStaticClustering(gateways => gateways.Configure<IOptions<ChatClusterOptions>>((o, cluster) =>
                o.Gateways = [.. cluster.Value.Gateways.Select(ChatConfiguration.TryParseGateway).OfType<IPEndPoint>().Select(e => e.ToGatewayUri())]));
        }
        else
        {
            var connectionString = ChatConfiguration.RequireConnectionString(client.Services, configuration);
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        }
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        });
        client.AddDashboard(DashboardCounters); // the silos collect; a web node serves the UI
        client.Services.AddHealthChecks().AddCheck<ClusterReachableHealthCheck>("cluster", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return client;
    }

    /// <summary>
    /// The dashboard reads every Orleans counter each period, observable gauges included (the grain
    /// directory cache's size counts a concurrent dictionary under all its locks): at its default of
    /// 1 s that was about 5 % of a silo's CPU under a community's load, for charts nobody may be
    /// looking at. Every 10 s still draws them (Prometheus scrapes every 15 s).
    /// </summary>
    private static void DashboardCounters(DashboardOptions options) => options.CounterUpdateIntervalMs = 10_000;
}
