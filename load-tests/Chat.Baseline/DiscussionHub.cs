using Microsoft.AspNetCore.SignalR;

namespace Chat.Baseline;

/// <summary>The product's hub methods and events (<see cref="IDiscussionClient"/>), with no auth, no validation beyond existence, no storage.</summary>
public sealed class DiscussionHub(ICommentStore store, Broadcaster broadcaster) : Hub<IDiscussionClient>
{
    private const int JoinPage = 500;

    public async Task<JoinResponse> JoinThread(string threadId, long afterSeq)
    {
        if (!await store.ExistsAsync(threadId)) throw new HubException("Thread not found.");
        // Join the group first, then read: a comment stored in between is both returned and pushed,
        // and the client drops the repeat (the contract allows it); none can fall between the two.
        await Groups.AddToGroupAsync(Context.ConnectionId, threadId);
        var comments = await store.AfterAsync(threadId, afterSeq, JoinPage);
        return new JoinResponse(await store.LastSeqAsync(threadId), comments, 0);
    }

    public Task LeaveThread(string threadId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, threadId);

    public async Task<PostResponse> PostComment(string threadId, long parentSeq, string body, string clientId)
    {
        if (string.IsNullOrEmpty(body)) throw new HubException("Comment is empty.");
        if (!await store.ExistsAsync(threadId)) throw new HubException("Thread not found.");
        var author = Context.GetHttpContext()?.Request.Query["access_token"].ToString() is { Length: > 0 } t ? t : "anonymous";
        var comment = await store.AppendAsync(threadId, parentSeq, author, body);
        broadcaster.Enqueue(comment);
        return new PostResponse(comment.Seq);
    }

    // What the load tool's community workload also does beside posting, each as plain SignalR would:
    // a vote pushes the comment again to its thread's group (as the product's Updates do), typing is
    // pushed to the others in the group, and the front page and inbox are groups an idle page sits in.

    public async Task<object> Vote(string threadId, long seq, bool up)
    {
        var comment = (await store.AfterAsync(threadId, seq - 1, 1)).FirstOrDefault(c => c.Seq == seq) ?? throw new HubException("Comment not found.");
        await Clients.Group(threadId).Updates(threadId, [comment]);
        return new { seq, up };
    }

    public Task Typing(string threadId, long parentSeq) =>
        Clients.OthersInGroup(threadId).Typing(threadId, Context.GetHttpContext()?.Request.Query["access_token"].ToString() ?? "anonymous", parentSeq);

    public async Task<object[]> JoinFrontPage(string sort)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, "front:" + sort);
        return [];
    }

    public async Task<Chat.Contracts.InboxCount> JoinInbox()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, "inbox:" + (Context.GetHttpContext()?.Request.Query["access_token"].ToString() ?? ""));
        return new Chat.Contracts.InboxCount(0);
    }
}
