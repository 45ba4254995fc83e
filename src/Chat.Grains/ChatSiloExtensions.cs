using Azure.Core;
using Azure.Data.Tables;
using Chat.Grains.Hosting;
using Chat.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace Chat.Grains;

public static class ChatSiloExtensions
{
    /// <summary>
    /// A whole silo of the chat cluster: membership in Azure Tables, explicit endpoints, and the chat
    /// grains with their storage. Both hosts (Chat.Silo, and Chat.Web when co-hosting) call this.
    /// </summary>
    public static ISiloBuilder AddChatSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = RequireConnectionString(configuration);
        var cluster = ReadClusterOptions(configuration);
        var endpoints = configuration.GetSection(SiloEndpointOptions.Section).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        if (endpoints.SiloPort is <= 0 or > 65535) throw BadPort("SiloPort", endpoints.SiloPort);
        if (endpoints.GatewayPort is <= 0 or > 65535) throw BadPort("GatewayPort", endpoints.GatewayPort);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.ConfigureEndpoints(endpoints.ParseAdvertisedIp(), endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Chat:Membership"));
        // The Orleans Dashboard's grains and statistics; the web host serves its UI at /dashboard.
        silo.AddDashboard();
        silo.Services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [ObservabilityExtensions.ReadyTag])
            .AddCheck("storage", new ObservabilityExtensions.StorageHealthCheck(connectionString), tags: [ObservabilityExtensions.ReadyTag]);
        return silo.AddChatGrains(configuration, connectionString);
    }

    /// <summary>The chat grains and their storage, without clustering (test clusters bring their own).</summary>
    public static ISiloBuilder AddChatGrains(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        silo.AddAzureTableGrainStorage(ChatStorage.GrainStorageName, o => o.TableServiceClient = new TableServiceClient(connectionString, GrainStateClientOptions()));
        silo.Services.AddChatMetrics();
        var threads = configuration.GetSection(ThreadGrainOptions.Section);
        if (threads.Get<ThreadGrainOptions>() is { MaxFlushesInFlight: < 1 or > 8 } bad)
            throw new InvalidOperationException($"Configuration key {ThreadGrainOptions.Section}:MaxFlushesInFlight is {bad.MaxFlushesInFlight}; it must be 1 to 8 (2 is the default; 1 = one table transaction per thread at a time).");
        silo.Services.Configure<ThreadGrainOptions>(threads);
        silo.Services.Configure<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        silo.Services.Configure<FrontPageOptions>(configuration.GetSection(FrontPageOptions.Section));
        silo.Services.Configure<InboxOptions>(configuration.GetSection(InboxOptions.Section));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton(ThreadGrainOptions.ClockKey, TimeProvider.System);
        silo.Services.AddSingleton<ICommentLog>(sp => new TableCommentLog(
            new TableClient(connectionString, TableCommentLog.DefaultTableName, CommentLogClientOptions()),
            sp.GetRequiredService<ILogger<TableCommentLog>>()));
        return silo;
    }

    /// <summary>
    /// A web node as an Orleans client of a separate silo tier: finds gateways in the membership
    /// table (or a static list), and keeps retrying until one answers so that start-up order
    /// between silos and web nodes does not matter.
    /// </summary>
    public static IClientBuilder AddChatClient(this IClientBuilder client, IConfiguration configuration)
    {
        var cluster = ReadClusterOptions(configuration);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        if (cluster.Gateways.Length > 0)
        {
            var gateways = cluster.Gateways.Select(ParseGateway).ToArray();
            client.UseStaticClustering(gateways);
        }
        else
        {
            var connectionString = RequireConnectionString(configuration);
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        }
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        });
        client.AddDashboard(); // the silos collect; a web node serves the UI
        client.Services.AddChatMetrics();
        client.Services.AddHealthChecks().AddCheck<ClusterReachableHealthCheck>("cluster", tags: [ObservabilityExtensions.ReadyTag]);
        return client;
    }

    public static IServiceCollection AddChatMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        return services;
    }

    /// <summary>
    /// Fail fast: a post waits on this write, and "storage unavailable, try again" within 1.5 s beats
    /// a request that hangs through the SDK's default 100 s timeout and three retries. No SDK retry:
    /// the poster retries with the same clientId, which is safe, and a storage that does not answer
    /// in 1.5 s is down for our purposes (a 100-comment transaction takes milliseconds when healthy).
    /// </summary>
    public static TableClientOptions CommentLogClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(1.5);
        return options;
    }

    /// <summary>
    /// Grain state writes are off the posting path (saved lazily) but a hung one would block a
    /// non-reentrant grain such as the front page: bound them too, a little more loosely.
    /// </summary>
    private static TableClientOptions GrainStateClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        return options;
    }

    public static string RequireConnectionString(IConfiguration configuration)
    {
        var value = configuration[ChatStorage.ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"Configuration key {ChatStorage.ConnectionStringKey} is not set. Set it (environment variable Chat__Storage__ConnectionString) to an Azure Storage connection string, e.g. UseDevelopmentStorage=true for Azurite on its default port.");
        try
        {
            _ = new TableServiceClient(value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Configuration key {ChatStorage.ConnectionStringKey} is not a valid Azure Storage connection string: {ex.Message}", ex);
        }
        return value;
    }

    public static ChatClusterOptions ReadClusterOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(ChatClusterOptions.Section).Get<ChatClusterOptions>() ?? new ChatClusterOptions();
        if (string.IsNullOrWhiteSpace(options.ClusterId)) throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:ClusterId is empty; set it to the cluster's name (e.g. chat-prod).");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:ServiceId is empty; set it to a stable name (e.g. chat).");
        return options;
    }

    private static System.Net.IPEndPoint ParseGateway(string entry) =>
        System.Net.IPEndPoint.TryParse(entry, out var endpoint) && endpoint.Port > 0
            ? endpoint
            : throw new InvalidOperationException($"Configuration key {ChatClusterOptions.Section}:Gateways has '{entry}'; each entry must be IP:port of a silo's gateway, e.g. 127.0.0.1:30000.");

    private static InvalidOperationException BadPort(string key, int value) =>
        new($"Configuration key {SiloEndpointOptions.Section}:{key} = {value} is not a port (1-65535).");
}
