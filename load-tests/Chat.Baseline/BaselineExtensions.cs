using Microsoft.AspNetCore.SignalR;
using OpenTelemetry.Metrics;
using StackExchange.Redis;

namespace Chat.Baseline;

public static class BaselineExtensions
{
    public static WebApplicationBuilder AddBaseline(this WebApplicationBuilder builder, string? redis)
    {
        // MessagePack beside JSON, as the product offers it: the load tool's readers may speak either.
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("System.Runtime").AddPrometheusExporter());
        var signalR = builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024).AddMessagePackProtocol();
        if (redis is null)
        {
            builder.Services.AddSingleton<ICommentStore, MemoryCommentStore>();
            builder.Services.AddSingleton(sp => new Broadcaster(sp.GetRequiredService<IHubContext<DiscussionHub, IDiscussionClient>>(), ordered: true, sp.GetRequiredService<ILogger<Broadcaster>>()));
        }
        else
        {
            var multiplexer = ConnectionMultiplexer.Connect(redis);
            builder.Services.AddSingleton<IConnectionMultiplexer>(multiplexer);
            builder.Services.AddSingleton<ICommentStore, RedisCommentStore>();
            builder.Services.AddSingleton(sp => new Broadcaster(sp.GetRequiredService<IHubContext<DiscussionHub, IDiscussionClient>>(), ordered: false, sp.GetRequiredService<ILogger<Broadcaster>>()));
            signalR.AddStackExchangeRedis(o => o.ConnectionFactory = _ => Task.FromResult<IConnectionMultiplexer>(multiplexer));
        }
        return builder;
    }

    public static WebApplication MapBaseline(this WebApplication app)
    {
        app.MapHub<DiscussionHub>("/hubs/discussion");
        app.MapPrometheusScrapingEndpoint("/metrics");
        // Sign-in is a formality here: the "token" is the user name, so pushes can name an author.
        app.MapPost("/api/auth/register", (Credentials c) => Results.Created("/api/me", new { userName = c.UserName }));
        app.MapPost("/api/auth/login", (Credentials c) => Results.Ok(new { token = c.UserName }));
        app.MapPost("/api/threads", async (NewThread t, ICommentStore store) =>
        {
            var id = await store.CreateThreadAsync();
            return Results.Created($"/api/threads/{id}", new { id });
        });
        // The front page: the baseline keeps no ranking; an empty list costs what a request costs.
        app.MapGet("/api/threads", () => Results.Ok(Array.Empty<object>()));
        app.MapGet("/api/threads/{id}", async (string id, ICommentStore store) =>
            await store.ExistsAsync(id) ? Results.Ok(new { id, lastSeq = await store.LastSeqAsync(id) }) : Results.NotFound());
        app.MapGet("/api/threads/{id}/comments", async (string id, long? after, int? limit, ICommentStore store) =>
            await store.ExistsAsync(id) ? Results.Ok(await store.AfterAsync(id, after ?? 0, Math.Clamp(limit ?? 200, 1, 1000))) : Results.NotFound());
        app.MapPost("/api/threads/{id}/comments", async (string id, NewComment c, ICommentStore store, Broadcaster broadcaster) =>
        {
            if (!await store.ExistsAsync(id)) return Results.NotFound();
            var comment = await store.AppendAsync(id, c.ParentSeq, "anonymous", c.Body);
            broadcaster.Enqueue(comment);
            return Results.Created($"/api/threads/{id}/comments/{comment.Seq}", new { seq = comment.Seq });
        });
        app.MapGet("/health/ready", () => Results.Ok());
        app.MapGet("/health/live", () => Results.Ok());
        return app;
    }
}
