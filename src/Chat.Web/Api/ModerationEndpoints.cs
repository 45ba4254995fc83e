using Chat.Web.Auth;
using Chat.Web.Discussion;

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
        // The role is checked before the thread id: a non-moderator learns nothing about ids.
        var thread = app.MapGroup("").ModeratorsOnly("Only moderators can lock threads and hide comments.").MapThreadGroup();
        thread.MapPost("/lock", (string id, DiscussionService discussion, HttpContext context) => discussion.SetLockedAsync(ThreadEndpoints.UserName(context), id, true));
        thread.MapDelete("/lock", (string id, DiscussionService discussion, HttpContext context) => discussion.SetLockedAsync(ThreadEndpoints.UserName(context), id, false));
        thread.MapPost("/comments/{seq:long}/hide", (string id, long seq, DiscussionService discussion, HttpContext context) => discussion.SetHiddenAsync(ThreadEndpoints.UserName(context), id, seq, true));
        thread.MapDelete("/comments/{seq:long}/hide", (string id, long seq, DiscussionService discussion, HttpContext context) => discussion.SetHiddenAsync(ThreadEndpoints.UserName(context), id, seq, false));
        return app;
    }

    /// <summary>Signed in (401 otherwise) and a moderator (403 otherwise), checked before anything else.</summary>
    public static RouteGroupBuilder ModeratorsOnly(this RouteGroupBuilder group, string refusal) =>
        group.RequireAuthorization().AddEndpointFilter(async (context, next) =>
            context.HttpContext.User.IsInRole(AuthExtensions.ModeratorRole)
                ? await next(context)
                : Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: refusal));
}
