using Chat.Web.Auth;
using Chat.Web.Hosting;

namespace Chat.Web.Api;

public static class ThreadEndpoints
{
    /// <summary>ClientId names the creation, reused when retrying it (optional: without it a retry may create a second thread).</summary>
    public sealed record CreateThreadRequest(string? Title, string? Url, string? Body, string? ClientId = null);

    public sealed record CreatedThread(string Id);

    public sealed record PostCommentRequest(long ParentSeq, string? Body, string? ClientId);

    public sealed record PostedComment(long Seq);

    public sealed record EditCommentRequest(string? Body);

    public sealed record VoteResult(long Points);

    public static IEndpointRouteBuilder MapThreadEndpoints(this IEndpointRouteBuilder app)
    {
        var threads = app.MapGroup("/api/threads");
        threads.MapGet("/", ListThreads);
        threads.MapPost("/", CreateThread).RequireAuthorization();
        threads.MapGet("/{id}", GetThread);
        threads.MapGet("/{id}/comments", GetComments);
        threads.MapPost("/{id}/comments", PostComment).RequireAuthorization();
        threads.MapPut("/{id}/comments/{seq:long}", EditComment).RequireAuthorization();
        threads.MapDelete("/{id}/comments/{seq:long}", DeleteComment).RequireAuthorization();
        threads.MapGet("/{id}/votes/mine", MyVotes).RequireAuthorization();
        threads.MapPost("/{id}/votes", (string id, IGrainFactory grains, HttpContext context) => Vote(id, 0, true, grains, context)).RequireAuthorization();
        threads.MapDelete("/{id}/votes", (string id, IGrainFactory grains, HttpContext context) => Vote(id, 0, false, grains, context)).RequireAuthorization();
        threads.MapPost("/{id}/comments/{seq:long}/vote", (string id, long seq, IGrainFactory grains, HttpContext context) => Vote(id, seq, true, grains, context)).RequireAuthorization();
        threads.MapDelete("/{id}/comments/{seq:long}/vote", (string id, long seq, IGrainFactory grains, HttpContext context) => Vote(id, seq, false, grains, context)).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> ListThreads(IGrainFactory grains, string? sort, int? limit)
    {
        if (sort is not (null or "new" or "hot"))
            return Results.Problem(statusCode: 400, detail: "sort must be 'hot' or 'new'.");
        if (limit is < 1 or > 500)
            return Results.Problem(statusCode: 400, detail: "limit must be 1 to 500.");
        return Results.Ok(await grains.GetGrain<IFrontPageGrain>(0).GetThreadsSorted(sort ?? "new", limit ?? 30));
    }

    private static async Task<IResult> CreateThread(CreateThreadRequest body, IGrainFactory grains, HttpContext context)
    {
        if (Limits.CheckTitle(body.Title) is { } titleError) return Results.Problem(statusCode: 400, detail: titleError);
        if (Limits.CheckUrl(body.Url) is { } urlError) return Results.Problem(statusCode: 400, detail: urlError);
        if (body.Body is { Length: > 0 } && Limits.CheckBody(body.Body) is { } bodyError) return Results.Problem(statusCode: 400, detail: bodyError);
        var info = await grains.GetGrain<IUserGrain>(context.User.UserName()!).CreateThread(body.Title!, body.Url, body.Body, body.ClientId ?? Guid.NewGuid().ToString("N"));
        return Results.Created($"/api/threads/{info.Id}", new CreatedThread(info.Id));
    }

    private static async Task<IResult> GetThread(string id, IGrainFactory grains)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        return Results.Ok(await grains.GetGrain<IThreadGrain>(id).GetInfo());
    }

    private static async Task<IResult> GetComments(string id, long? after, int? limit, IGrainFactory grains)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        if (after is < 0) return Results.Problem(statusCode: 400, detail: "after must be 0 or more.");
        if (limit is < 1 or > Limits.MaxPageSize) return Results.Problem(statusCode: 400, detail: $"limit must be 1 to {Limits.MaxPageSize}.");
        var page = await grains.GetGrain<IThreadGrain>(id).GetComments(after ?? 0, limit ?? 200);
        return Results.Ok(page.Comments);
    }

    private static async Task<IResult> PostComment(string id, PostCommentRequest body, IGrainFactory grains, HttpContext context, ILogger<PostCommentRequest> logger)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        if (Limits.CheckBody(body.Body) is { } bodyError) return Results.Problem(statusCode: 400, detail: bodyError);
        if (Limits.CheckClientId(body.ClientId) is { } clientIdError) return Results.Problem(statusCode: 400, detail: clientIdError);
        var user = grains.GetGrain<IUserGrain>(context.User.UserName()!);
        var seq = await ClusterRetry.PostAsync(() => user.PostComment(id, body.ParentSeq, body.Body!, body.ClientId!), logger);
        return Results.Created($"/api/threads/{id}/comments?after={seq - 1}&limit=1", new PostedComment(seq));
    }

    private static async Task<IResult> EditComment(string id, long seq, EditCommentRequest body, IGrainFactory grains, HttpContext context)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        if (Limits.CheckBody(body.Body) is { } bodyError) return Results.Problem(statusCode: 400, detail: bodyError);
        return Results.Ok(await grains.GetGrain<IUserGrain>(context.User.UserName()!).EditComment(id, seq, body.Body!));
    }

    private static async Task<IResult> DeleteComment(string id, long seq, IGrainFactory grains, HttpContext context)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        return Results.Ok(await grains.GetGrain<IUserGrain>(context.User.UserName()!).DeleteComment(id, seq));
    }

    private static async Task<IResult> Vote(string id, long seq, bool up, IGrainFactory grains, HttpContext context)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        if (seq < 0) return Results.Problem(statusCode: 404, detail: $"There is no comment {seq} in this thread.");
        return Results.Ok(new VoteResult(await grains.GetGrain<IUserGrain>(context.User.UserName()!).Vote(id, seq, up)));
    }

    public sealed record MyVotesResult(long[] Seqs);

    private static async Task<IResult> MyVotes(string id, IGrainFactory grains, HttpContext context)
    {
        if (!Limits.IsValidThreadId(id)) return NoSuchThread(id);
        return Results.Ok(new MyVotesResult(await grains.GetGrain<IThreadGrain>(id).GetVotesOf(context.User.UserName()!)));
    }

    private static IResult NoSuchThread(string id) => Results.Problem(statusCode: 404, detail: $"Thread {id} does not exist.");
}
