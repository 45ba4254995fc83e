using Chat.Web.Auth;
using Chat.Web.Discussion;

namespace Chat.Web.Api;

/// <summary>
/// The HTTP face of <see cref="DiscussionService"/>: routes, the signed-in user, and the shape of the
/// answer (201 with a Location for what was created). Refusals are the service's ChatExceptions,
/// answered as problems by <see cref="ChatExceptionHandler"/>.
/// </summary>
public static class ThreadEndpoints
{
    public static IEndpointRouteBuilder MapThreadEndpoints(this IEndpointRouteBuilder app)
    {
        var threads = app.MapGroup("/api/threads");
        threads.MapGet("/", (string? sort, int? limit, DiscussionService discussion) => discussion.ListThreadsAsync(sort, limit));
        threads.MapPost("/", CreateThread).RequireAuthorization();

        var thread = app.MapThreadGroup();
        thread.MapGet("", (string id, DiscussionService discussion) => discussion.GetThreadAsync(id));
        thread.MapGet("/comments", (string id, long? after, int? limit, DiscussionService discussion) => discussion.GetCommentsAsync(id, after, limit));
        thread.MapGet("/comments/ordered", (string id, string? sort, string? roots, int? limit, DiscussionService discussion) =>
            discussion.GetOrderedCommentsAsync(id, sort, roots, limit));
        thread.MapPost("/comments", PostComment).RequireAuthorization();
        thread.MapGet("/comments/{seq:long}/history", (string id, long seq, DiscussionService discussion, HttpContext context) =>
            discussion.GetHistoryAsync(id, seq, context.User.IsInRole(AuthExtensions.ModeratorRole)));
        thread.MapPut("/comments/{seq:long}", (string id, long seq, EditCommentRequest body, DiscussionService discussion, HttpContext context) =>
            discussion.EditCommentAsync(UserName(context), id, seq, body.Body)).RequireAuthorization();
        thread.MapDelete("/comments/{seq:long}", (string id, long seq, DiscussionService discussion, HttpContext context) =>
            discussion.DeleteCommentAsync(UserName(context), id, seq)).RequireAuthorization();
        thread.MapGet("/votes/mine", (string id, DiscussionService discussion, HttpContext context) =>
            discussion.MyVotesAsync(UserName(context), id)).RequireAuthorization();
        thread.MapPost("/votes", (string id, DiscussionService discussion, HttpContext context) => discussion.VoteAsync(UserName(context), id, 0, true)).RequireAuthorization();
        thread.MapDelete("/votes", (string id, DiscussionService discussion, HttpContext context) => discussion.VoteAsync(UserName(context), id, 0, false)).RequireAuthorization();
        thread.MapPost("/comments/{seq:long}/vote", (string id, long seq, DiscussionService discussion, HttpContext context) => Vote(id, seq, true, discussion, context)).RequireAuthorization();
        thread.MapPost("/comments/{seq:long}/flag", (string id, long seq, FlagCommentRequest body, DiscussionService discussion, HttpContext context) =>
            discussion.FlagCommentAsync(UserName(context), id, seq, body.Reason)).RequireAuthorization();
        thread.MapDelete("/comments/{seq:long}/vote", (string id, long seq, DiscussionService discussion, HttpContext context) => Vote(id, seq, false, discussion, context)).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// The routes under /api/threads/{id}. A thread id in a URL that cannot be one names no thread:
    /// 404, before anything touches a grain (the hub, taking ids as arguments, calls it invalid).
    /// </summary>
    public static RouteGroupBuilder MapThreadGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/threads/{id}").AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("id") is string id && !Limits.IsValidThreadId(id)
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"Thread {id} does not exist.")
                : await next(context));

    public static string UserName(HttpContext context) => context.User.UserName()!;

    private static async Task<IResult> CreateThread(CreateThreadRequest body, DiscussionService discussion, HttpContext context)
    {
        var created = await discussion.CreateThreadAsync(UserName(context), body);
        return Results.Created($"/api/threads/{created.Id}", created);
    }

    private static async Task<IResult> PostComment(string id, PostCommentRequest body, DiscussionService discussion, HttpContext context)
    {
        var posted = await discussion.PostCommentAsync(UserName(context), id, body.ParentSeq, body.Body, body.ClientId);
        return Results.Created($"/api/threads/{id}/comments?after={posted.Seq - 1}&limit=1", posted);
    }

    /// <summary>A negative seq in a URL names no comment.</summary>
    private static async Task<IResult> Vote(string id, long seq, bool up, DiscussionService discussion, HttpContext context) =>
        seq < 0
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"There is no comment {seq} in this thread.")
            : Results.Ok(await discussion.VoteAsync(UserName(context), id, seq, up));
}
