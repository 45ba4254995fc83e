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
}
