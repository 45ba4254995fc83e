using Chat.ServiceDefaults;
using Chat.Web.Discussion;
using Chat.Web.Hosting;
using Chat.Web.Import;
using Microsoft.Extensions.Options;

namespace Chat.Web.Api;

public static class ApiExtensions
{
    public static WebApplicationBuilder AddChatApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ChatExceptionHandler>();
        // Bodies are at most 10,000 characters; nothing the API takes needs more than this (but an
        // import file: its endpoint raises the limit for moderators).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 256 * 1024);
        builder.Services.AddSingleton<ImportRun>();
        // The application layer: the HTTP endpoints and the hub both go through it.
        builder.Services.AddSingleton<DiscussionService>();
        builder.Services.AddSingleton<ReadingService>();
        builder.Services.AddSingleton<ModQueueService>();
        // Chat:Cluster is bound and checked by the Orleans role (AddChatSilo or AddChatClient).
        builder.Services.AddSingleton(sp => new ClusterRetry(sp.GetRequiredService<IOptions<ChatClusterOptions>>().Value.PostRetryBudget, sp.GetRequiredService<ILogger<ClusterRetry>>(), sp.GetRequiredService<WebMetrics>().PostRetried));
        return builder;
    }

    public static WebApplication MapChatApi(this WebApplication app)
    {
        app.MapThreadEndpoints();
        app.MapUserEndpoints();
        app.MapModerationEndpoints();
        app.MapModQueueEndpoints();
        app.MapImportEndpoints();
        app.MapInboxEndpoints();
        app.MapReadMarkEndpoints();
        app.MapSearchEndpoints();
        app.MapControlsEndpoints();
        return app;
    }
}
