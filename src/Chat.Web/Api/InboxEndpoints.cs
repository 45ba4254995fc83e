using Chat.Web.Auth;

namespace Chat.Web.Api;

public static class InboxEndpoints
{
    /// <summary>
    /// One reply or mention (Kind "reply" or "mention") as /inbox lists it, Link the comment's
    /// permalink; or new comments in a followed thread (Kind "followed"): Count of them, Seq and Link the first.
    /// </summary>
    public sealed record InboxEntry(string ThreadId, string ThreadTitle, long Seq, long ParentSeq, string Author, string Snippet, DateTimeOffset CreatedAt, string Link, string Kind, int? Count = null);

    public sealed record InboxPage(int Unread, IReadOnlyList<InboxEntry> Items);

    public static IEndpointRouteBuilder MapInboxEndpoints(this IEndpointRouteBuilder app)
    {
        var inbox = app.MapGroup("/api/inbox").RequireAuthorization();
        // Reading does not mark read: a GET changes nothing, and a client may want to show which are new.
        inbox.MapGet("/", async (IGrainFactory grains, HttpContext context) =>
            Results.Ok(Page(await grains.GetGrain<IUserGrain>(context.User.UserName()!).GetInbox())));
        inbox.MapPost("/read", async (IGrainFactory grains, HttpContext context) =>
            Results.Ok(Page(await grains.GetGrain<IUserGrain>(context.User.UserName()!).MarkInboxRead())));
        return app;
    }

    private static InboxPage Page(Inbox inbox) => new(inbox.Unread, inbox.Items
        .Select(i => new InboxEntry(i.ThreadId, i.ThreadTitle, i.Seq, i.ParentSeq, i.Author, i.Snippet, i.CreatedAt, $"/t/{i.ThreadId}#c{i.Seq}", i.Kind ?? InboxItem.ReplyKind, i.Count))
        .ToArray());
}
