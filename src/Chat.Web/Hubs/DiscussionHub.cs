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
public sealed class DiscussionHub(DiscussionService discussion, LiveService live, WebMetrics metrics, PageProtocol pages) : Hub<IDiscussionClient>
{
    private string UserName => Context.User!.UserName()!;

    public Task<JoinResult> JoinThread(string threadId, long afterSeq) => live.JoinThreadAsync(Context.ConnectionId, threadId, afterSeq);

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

    /// <summary>Starts the <c>Inbox</c> pushes (the signed-in user's unread reply count); returns the count now.</summary>
    [Authorize]
    public Task<InboxCount> JoinInbox() => live.JoinInboxAsync(Context.ConnectionId, UserName);

    public override async Task OnConnectedAsync()
    {
        metrics.ConnectionOpened();
        // A page older than this node serves: it reloads itself (and keeps the reader's place).
        if (pages.MustReload(Context.GetHttpContext())) await Clients.Caller.Reload();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed();
        return live.DisconnectedAsync(Context.ConnectionId);
    }
}
