using Chat.Grains;
using Chat.Web.Auth;
using Chat.Web.Hosting;
using Chat.Web.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Hubs;

/// <summary>
/// The realtime contract at /hubs/discussion. Reading is anonymous; posting needs sign-in and the
/// author is always the signed-in user.
/// </summary>
public sealed partial class DiscussionHub(IGrainFactory grains, ThreadRelay relay, FrontPageRelay frontPage, InboxRelay inbox, ChatMetrics metrics, ILogger<DiscussionHub> logger) : Hub<IDiscussionClient>
{
    /// <summary>The first screen; the rest comes over HTTP in pages.</summary>
    public const int JoinPageSize = 500;

    public async Task<JoinResult> JoinThread(string threadId, long afterSeq)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        if (afterSeq < 0) throw new HubException("afterSeq must be 0 or more.");
        var thread = grains.GetGrain<IThreadGrain>(threadId);
        await thread.GetInfo(); // refuses an unknown thread before anything is set up for it

        // Join the group first, then read: a comment acknowledged in between arrives both ways and
        // the client drops the duplicate by seq, rather than arriving neither way.
        await Groups.AddToGroupAsync(Context.ConnectionId, threadId);
        var viewers = await relay.JoinAsync(threadId, Context.ConnectionId);
        var page = await thread.GetComments(afterSeq, JoinPageSize);
        return new JoinResult(page.LastSeq, page.Comments, viewers);
    }

    public async Task LeaveThread(string threadId)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, threadId);
        await relay.LeaveAsync(threadId, Context.ConnectionId);
    }

    [Authorize]
    public async Task<PostResult> PostComment(string threadId, long parentSeq, string body, string clientId)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        if (Limits.CheckBody(body) is { } bodyError) throw new HubException(bodyError);
        if (Limits.CheckClientId(clientId) is { } clientIdError) throw new HubException(clientIdError);
        var userName = Context.User!.UserName()!;
        var user = grains.GetGrain<IUserGrain>(userName);
        return new PostResult(await ClusterRetry.PostAsync(() => user.PostComment(threadId, parentSeq, body, clientId), logger));
    }

    [Authorize]
    public async Task<Comment> EditComment(string threadId, long seq, string body)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        if (Limits.CheckBody(body) is { } bodyError) throw new HubException(bodyError);
        return await grains.GetGrain<IUserGrain>(Context.User!.UserName()!).EditComment(threadId, seq, body);
    }

    [Authorize]
    public async Task<Comment> DeleteComment(string threadId, long seq)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        return await grains.GetGrain<IUserGrain>(Context.User!.UserName()!).DeleteComment(threadId, seq);
    }

    /// <summary>Up-vote (up = true) or take back a vote; seq 0 is the thread itself. Returns the points.</summary>
    [Authorize]
    public async Task<VoteResult> Vote(string threadId, long seq, bool up)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        if (seq < 0) throw new HubException("seq must be 0 (the thread) or a comment's seq.");
        return new VoteResult(await grains.GetGrain<IUserGrain>(Context.User!.UserName()!).Vote(threadId, seq, up));
    }

    /// <summary>
    /// The caller is writing a reply to seq parentSeq (0 = top level). Pages call it while typing, every
    /// few seconds at most; the thread passes it on to open pages, throttled, and stores nothing.
    /// </summary>
    [Authorize]
    public Task Typing(string threadId, long parentSeq)
    {
        if (Limits.CheckThreadId(threadId) is { } idError) throw new HubException(idError);
        if (parentSeq < 0) throw new HubException("parentSeq must be 0 (top level) or a comment's seq.");
        return grains.GetGrain<IThreadGrain>(threadId).Typing(Context.User!.UserName()!, parentSeq);
    }

    public override Task OnConnectedAsync()
    {
        metrics.ConnectionOpened();
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed();
        frontPage.Leave(Context.ConnectionId);
        return Task.WhenAll(relay.LeaveAllAsync(Context.ConnectionId), inbox.LeaveAllAsync(Context.ConnectionId));
    }
}
