using Azure.Core;
using Azure.Data.Tables;
using Chat.Grains.FrontPage;
using Chat.Grains.Moderation;
using Chat.Grains.Search;
using Chat.Grains.Storage;
using Chat.Grains.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Chat.Grains;

/// <summary>The chat grains' services; the hosts' silo set-up (Chat.ServiceDefaults) adds them.</summary>
public static class ChatSiloExtensions
{
    /// <summary>The chat grains and their storage, without clustering (test clusters bring their own).</summary>
    public static ISiloBuilder AddChatGrains(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        silo.AddAzureTableGrainStorage(ChatStorage.GrainStorageName, options => options.Configure<ChatMetrics>((o, metrics) =>
            o.TableServiceClient = new TableServiceClient(connectionString, Counted(GrainStateClientOptions(), metrics, StorageErrorPolicy.GrainState))));
        silo.Services.AddChatMetrics();
        // Checked when the host starts (ValidateOnStart): a bad value stops it, naming the key.
        silo.Services.AddChatOptions<ThreadGrainOptions, ThreadGrainOptionsValidator>(configuration, ThreadGrainOptions.Section);
        silo.Services.AddChatOptions<LimitsOptions, LimitsOptionsValidator>(configuration, LimitsOptions.Section);
        silo.Services.AddChatOptions<ModerationOptions, ModerationOptionsValidator>(configuration, ModerationOptions.Section);
        silo.Services.AddChatOptions<FrontPageOptions>(configuration, FrontPageOptions.Section);
        silo.Services.AddChatOptions<InboxOptions, InboxOptionsValidator>(configuration, InboxOptions.Section);
        silo.Services.AddChatSearch(configuration);
        silo.Services.TryAddSingleton(_ => SearchCopies.For(connectionString));
        silo.Services.TryAddSingleton(TimeProvider.System);
        // Idle unless Chat:Threads:Balancing is on.
        silo.Services.AddHostedService<Threads.ThreadBalancer>();
        silo.Services.TryAddKeyedSingleton(ThreadGrainOptions.ClockKey, TimeProvider.System);
        silo.Services.AddSingleton<ICommentLog>(sp => new TableCommentLog(
            new TableClient(connectionString, TableCommentLog.DefaultTableName, Counted(CommentLogClientOptions(), sp.GetRequiredService<ChatMetrics>(), StorageErrorPolicy.CommentLog)),
            sp.GetRequiredService<ILogger<TableCommentLog>>()));
        return silo;
    }

    public static IServiceCollection AddChatMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        // One PostStages per process: co-hosted, the web node's relay registers it too (TryAdd), and
        // both halves record into the same instance.
        services.TryAddSingleton<PostStages>();
        services.AddSingleton(sp => new ChatMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<PostStages>()));
        return services;
    }

    /// <summary>Every attempt's failure counts in chat_storage_errors_total{store}.</summary>
    private static TableClientOptions Counted(TableClientOptions options, ChatMetrics metrics, string store)
    {
        options.AddPolicy(new StorageErrorPolicy(metrics, store), HttpPipelinePosition.PerRetry);
        return options;
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
}
