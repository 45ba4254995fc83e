using Azure.Core;
using Azure.Data.Tables;
using Chat.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Chat.Grains;

public static class ChatSiloExtensions
{
    /// <summary>
    /// A whole silo of the chat cluster: membership in Azure Tables, explicit endpoints, and the chat
    /// grains with their storage. Both hosts (Chat.Silo and Chat.Web co-hosting) call this.
    /// </summary>
    public static ISiloBuilder AddChatSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = RequireConnectionString(configuration);
        var endpoints = configuration.GetSection(SiloEndpointOptions.Section).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        if (endpoints.SiloPort is <= 0 or > 65535) throw BadPort("SiloPort", endpoints.SiloPort);
        if (endpoints.GatewayPort is <= 0 or > 65535) throw BadPort("GatewayPort", endpoints.GatewayPort);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = endpoints.ClusterId;
            o.ServiceId = endpoints.ServiceId;
        });
        silo.ConfigureEndpoints(endpoints.ParseAdvertisedIp(), endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Chat:Membership"));
        return silo.AddChatGrains(configuration, connectionString);
    }

    /// <summary>The chat grains and their storage, without clustering (test clusters bring their own).</summary>
    public static ISiloBuilder AddChatGrains(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        silo.AddAzureTableGrainStorage(ChatStorage.GrainStorageName, o => o.TableServiceClient = new TableServiceClient(connectionString));
        silo.Services.AddChatGrainServices(configuration, connectionString);
        return silo;
    }

    public static IServiceCollection AddChatGrainServices(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        services.Configure<ThreadGrainOptions>(configuration.GetSection("Chat:Threads"));
        services.AddSingleton<ICommentLog>(sp => new TableCommentLog(
            new TableClient(connectionString, TableCommentLog.DefaultTableName, CommentLogClientOptions()),
            sp.GetRequiredService<ILogger<TableCommentLog>>()));
        return services;
    }

    /// <summary>
    /// Fail fast: a post waits on this write, and "storage unavailable, try again" within a few
    /// seconds beats a request that hangs through the SDK's default 100 s timeout and retries.
    /// </summary>
    public static TableClientOptions CommentLogClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
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
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"Configuration key {ChatStorage.ConnectionStringKey} is not a valid Azure Storage connection string: {ex.Message}", ex);
        }
        return value;
    }

    private static InvalidOperationException BadPort(string key, int value) =>
        new($"Configuration key {SiloEndpointOptions.Section}:{key} = {value} is not a port (1-65535).");
}
