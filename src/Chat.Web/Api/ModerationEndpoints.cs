using Chat.Web.Auth;

namespace Chat.Web.Api;

/// <summary>
/// Moderators lock threads and hide comments. The role is decided at sign-in (Chat:Moderators and the
/// first account, see <see cref="ModeratorDirectory"/>) and carried in the cookie or token; the grains
/// trust the web tier's check, as they trust it for who the author of a post is.
/// </summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModerationEndpoints(this IEndpointRouteBuilder app)
    {
        var threads = app.MapGroup("/api/threads").RequireAuthorization();
        threads.MapPost("/{id}/lock", (string id, IGrainFactory grains, HttpContext context) => Lock(id, true, grains, context));
        threads.MapDelete("/{id}/lock", (string id, IGrainFactory grains, HttpContext context) => Lock(id, false, grains, context));
        threads.MapPost("/{id}/comments/{seq:long}/hide", (string id, long seq, IGrainFactory grains, HttpContext context) => Hide(id, seq, true, grains, context));
        threads.MapDelete("/{id}/comments/{seq:long}/hide", (string id, long seq, IGrainFactory grains, HttpContext context) => Hide(id, seq, false, grains, context));
        return app;
    }

    private static async Task<IResult> Lock(string id, bool locked, IGrainFactory grains, HttpContext context)
    {
        if (NotModerator(context) is { } refusal) return refusal;
        if (!Limits.IsValidThreadId(id)) return Results.Problem(statusCode: 404, detail: $"Thread {id} does not exist.");
        return Results.Ok(await grains.GetGrain<IThreadGrain>(id).SetLocked(locked, context.User.UserName()!));
    }

    private static async Task<IResult> Hide(string id, long seq, bool hidden, IGrainFactory grains, HttpContext context)
    {
        if (NotModerator(context) is { } refusal) return refusal;
        if (!Limits.IsValidThreadId(id)) return Results.Problem(statusCode: 404, detail: $"Thread {id} does not exist.");
        return Results.Ok(await grains.GetGrain<IThreadGrain>(id).SetHidden(seq, hidden, context.User.UserName()!));
    }

    private static IResult? NotModerator(HttpContext context) =>
        context.User.IsInRole(AuthExtensions.ModeratorRole)
            ? null
            : Results.Problem(statusCode: 403, detail: "Only moderators can lock threads and hide comments.");
}
