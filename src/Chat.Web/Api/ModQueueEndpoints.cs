using Chat.Web.Discussion;

namespace Chat.Web.Api;

/// <summary>
/// The moderation queue over HTTP, for moderators only: readers' flags (with who flagged; nobody
/// else ever sees a flagger) and the decisions hide, restore and dismiss.
/// </summary>
public static class ModQueueEndpoints
{
    public static IEndpointRouteBuilder MapModQueueEndpoints(this IEndpointRouteBuilder app)
    {
        var queue = app.MapGroup("/api/mod/flags").ModeratorsOnly("Only moderators can see and decide flags.");
        queue.MapGet("/", (ModQueueService modQueue) => modQueue.GetAsync());
        queue.MapPost("/{threadId}/{seq:long}/{action}", async (string threadId, long seq, string action, ModQueueService modQueue, HttpContext context) =>
        {
            await modQueue.DecideAsync(ThreadEndpoints.UserName(context), threadId, seq, action);
            return Results.NoContent();
        });
        return app;
    }
}
