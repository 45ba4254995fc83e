using Chat.Web.Auth;
using Chat.Web.Discussion;
using Chat.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Hubs;

/// <summary>
/// The realtime contract at /hubs/discussion: a thin adapter over <see cref="DiscussionService"/> and
/// <see cref="LiveService"/>. Reading is anonymous; posting needs sign-in and the author is always the
/// signed-in user. What it pushes is <see cref="IDiscussionClient"/>. Refusals travel as
/// HubExceptions with the service's message (<see cref="HubErrorFilter"/>).
/// </summary>
public sealed class DiscussionHub(DiscussionService discussion, LiveService live, ReadingService reading, ModQueueService modQueue, WebMetrics metrics, PageProtocol pages) : Hub<IDiscussionClient>
{
    private string UserName => Context.User!.UserName()!;

    public Task<JoinResult> JoinThread(string threadId, long afterSeq) => live.JoinThreadAsync(Context.ConnectionId, threadId, afterSeq);

    /// <summary>Joins like JoinThread from the start, with the first page in an order ("top", "new" or "old").</summary>
    public Task<OrderedJoinResult> JoinThreadOrdered(string threadId, string sort) => live.JoinThreadOrderedAsync(Context.ConnectionId, threadId, sort);

    public Task LeaveThread(string threadId) => live.LeaveThreadAsync(Context.ConnectionId, threadId);

    [Authorize]
    public Task<PostedComment> PostComment(string threadId, long parentSeq, string body, string clientId) =>
        discussion.PostCommentAsync(UserName, threadId, parentSeq, body, clientId);

    [Authorize]
    public Task<Comment> EditComment(string threadId, long seq, string body) => discussion.EditCommentAsync(UserName, threadId, seq, body);

    [Authorize]
    public Task<Comment> DeleteComment(string threadId, long seq) => discussion.DeleteCommentAsync(UserName, threadId, seq);

    /// <summary>Up-vote (up = true) or take back a vote; seq 0 is the thread itself. Returns the points.</summary>
    [Authorize]
    public Task<VoteResult> Vote(string threadId, long seq, bool up) => discussion.VoteAsync(UserName, threadId, seq, up);

    /// <summary>
    /// The caller is writing a reply to seq parentSeq (0 = top level). Pages call it while typing, every
    /// few seconds at most.
    /// </summary>
    [Authorize]
    public Task Typing(string threadId, long parentSeq) => discussion.TypingAsync(UserName, threadId, parentSeq);

    /// <summary>Starts the <c>FrontPage</c> pushes of one sort ("hot" or "new"); returns the list now.</summary>
    public Task<ThreadSummary[]> JoinFrontPage(string sort) => live.JoinFrontPageAsync(Context.ConnectionId, sort);

    public Task LeaveFrontPage() => live.LeaveFrontPageAsync(Context.ConnectionId);

    /// <summary>
    /// Keeps a search open (q, with the /search page's thread and author filters, may be null): new
    /// comments that match are pushed as <c>SearchMatches</c>, and taken back by <c>SearchWithdrawn</c>.
    /// One per connection (a new one replaces it); refused when this node holds as many as it may.
    /// </summary>
    public Task JoinSearch(string q, string? thread, string? author) => live.JoinSearchAsync(Context.ConnectionId, q, thread, author);

    public Task LeaveSearch()
    {
        live.LeaveSearch(Context.ConnectionId);
        return Task.CompletedTask;
    }

    /// <summary>Starts the <c>Inbox</c> pushes (the signed-in user's unread reply count); returns the count now.</summary>
    [Authorize]
    public Task<InboxCount> JoinInbox() => live.JoinInboxAsync(Context.ConnectionId, UserName);

    /// <summary>The signed-in reader's read marks of those of threadIds they visited (at most 100 ids).</summary>
    [Authorize]
    public Task<ReadMark[]> GetReadMarks(string[] threadIds) => reading.GetMarksAsync(UserName, threadIds);

    /// <summary>The signed-in reader has read threadId up to seq; the mark moves forward only. Returns the mark now.</summary>
    [Authorize]
    public Task<ReadMark> MarkRead(string threadId, long seq) => reading.MarkReadAsync(UserName, threadId, seq);

    /// <summary>Flags someone else's comment (reason: spam, abuse, off-topic or other); a repeat counts once.</summary>
    [Authorize]
    public Task<FlagResult> FlagComment(string threadId, long seq, string reason) => discussion.FlagCommentAsync(UserName, threadId, seq, reason);

    /// <summary>Moderators: starts the <c>ModQueue</c> pushes; returns the queue now (with who flagged).</summary>
    [Authorize]
    public Task<FlaggedComment[]> JoinModQueue()
    {
        EnsureModerator();
        return modQueue.JoinAsync(Context.ConnectionId);
    }

    /// <summary>Moderators: hide, restore or dismiss a queued comment.</summary>
    [Authorize]
    public Task DecideFlags(string threadId, long seq, string action)
    {
        EnsureModerator();
        return modQueue.DecideAsync(UserName, threadId, seq, action);
    }

    private void EnsureModerator()
    {
        if (!Context.User!.IsInRole(AuthExtensions.ModeratorRole)) throw ChatException.Forbidden("Only moderators can see and decide flags.");
    }

    public override async Task OnConnectedAsync()
    {
        metrics.ConnectionOpened();
        // A page older than this node serves: it reloads itself (and keeps the reader's place).
        if (pages.MustReload(Context.GetHttpContext())) await Clients.Caller.Reload();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed();
        return Task.WhenAll(live.DisconnectedAsync(Context.ConnectionId), modQueue.LeaveAsync(Context.ConnectionId));
    }
}
