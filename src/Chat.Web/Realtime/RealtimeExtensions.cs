using Chat.Web.Auth;
using Chat.Web.Discussion;
using Chat.Web.Hosting;
using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

public static class RealtimeExtensions
{
    public static WebApplicationBuilder AddChatRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = Limits.MaxHubMessageBytes;
            // A client may pipeline a few posts (a bot, the load generator, a page retrying) instead
            // of waiting for each acknowledgement; SignalR's default is one invocation at a time.
            o.MaximumParallelInvocationsPerClient = 4;
            // First, so that it counts every call until its answer is written (the drain waits for them).
            o.AddFilter<NodeDrain>();
            o.AddFilter<HubErrorFilter>();
            o.AddFilter<HubInvocationLimitFilter>();
        })
        // Binary frames for clients that ask for them (the pages speak JSON): smaller than JSON and
        // cheaper to write for the server, which writes each push once per protocol in use.
        .AddMessagePackProtocol();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<WebMetrics>();
        builder.Services.AddSingleton<NodeConnectionLimit>();
        // One instance per process: co-hosted, the silo's ChatMetrics records into this one too.
        builder.Services.TryAddSingleton<PostStages>();
        builder.Services.AddChatOptions<RelayOptions, RelayOptionsValidator>(builder.Configuration, RelayOptions.Section);
        builder.Services.AddChatOptions<PagesOptions, PagesOptionsValidator>(builder.Configuration, PagesOptions.Section);
        builder.Services.AddSingleton(sp => new PageProtocol(sp.GetRequiredService<IOptions<PagesOptions>>().Value.OldestProtocol));
        builder.Services.AddChatOptions<WebNodeOptions, WebNodeOptionsValidator>(builder.Configuration, WebNodeOptions.Section);
        // The drain runs inside the host's shutdown timeout (its clock starts when shutdown begins):
        // leave Kestrel and the hosted services their usual time after it.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<WebNodeOptions>>((host, web) =>
            host.ShutdownTimeout = web.Value.DrainTimeout + WebNodeOptions.StopAfterDrain);
        builder.Services.AddSingleton<NodeDrain>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        builder.Services.AddSingleton<NodeIdentity>();
        builder.Services.AddSingleton<RelayServices>();
        builder.Services.AddSingleton<LiveService>();
        builder.Services.AddSingleton<ThreadRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ThreadRelay>());
        builder.Services.AddSingleton<FrontPageRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FrontPageRelay>());
        builder.Services.AddSingleton<InboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxRelay>());
        builder.Services.AddSingleton<SearchRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SearchRelay>());
        builder.Services.AddSingleton<ModQueueRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModQueueRelay>());
        builder.Services.AddSingleton<IUserIdProvider, UserNameIdProvider>();
        return builder;
    }

    /// <summary>The per-node connection limit: before the rate limiter, so that a full node refuses before leasing anything.</summary>
    public static WebApplication UseChatNodeConnectionLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<NodeConnectionLimit>();
        app.Use((context, next) => limit.InvokeAsync(context, () => next()));
        return app;
    }

    public static WebApplication MapChatRealtime(this WebApplication app)
    {
        // A stopping node takes no new hub connections. It tells the ones it has to reconnect and
        // waits for them to leave (NodeDrain); one opened meanwhile (a page told to reconnect, sent
        // back here by a Service whose endpoints lag) would hold the drain up for its whole timeout
        // and then be cut off. Refused, the client tries again, and reaches another node.
        var stopping = app.Lifetime.ApplicationStopping;
        app.UseWhen(context => stopping.IsCancellationRequested && context.Request.Path.StartsWithSegments("/hubs"), refuse => refuse.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return Task.CompletedTask;
        }));
        app.MapHub<DiscussionHub>(NodeConnectionLimit.HubPath).RequireRateLimiting(AbuseLimits.HubConnectionsPolicy);
        return app;
    }
}
