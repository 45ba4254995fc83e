using Chat.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// Tells the authors of the comments replied to in a settled batch, and the users its comments
/// mention (one-way, so posting never waits on it). Parents are nearly always in the hot window;
/// older ones are read from the log in the background, after the posts were acknowledged.
/// </summary>
internal sealed class ReplyNotifier(string threadId, RecentComments recent, ICommentLog log, IGrainFactory grains, ILogger logger)
{
    public void NotifyRepliedTo(IReadOnlyList<StoredComment> stored, string threadTitle)
    {
        List<Comment>? olderParents = null;
        // The thread's followers hear of the batch once (coalesced there), without those told here.
        grains.GetGrain<IThreadFollowersGrain>(threadId).Posted([.. stored.Select(s => Followed(s.Comment))]).Ignore();
        foreach (var s in stored)
        {
            var reply = s.Comment;
            NotifyMentioned(reply, threadTitle);
            if (reply.ParentSeq <= 0) continue;
            if (recent.Find(reply.ParentSeq) is { } parent) SendReply(parent, reply, threadTitle);
            else (olderParents ??= []).Add(reply);
        }
        if (olderParents is not null) NotifyRepliedToFromLogAsync(olderParents, threadTitle).Ignore();
    }

    private async Task NotifyRepliedToFromLogAsync(List<Comment> replies, string threadTitle)
    {
        foreach (var reply in replies)
        {
            try
            {
                if (await log.ReadOneAsync(threadId, reply.ParentSeq) is { } parent) SendReply(parent.Comment, reply, threadTitle);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Thread {ThreadId}: reading comment {Seq} to notify its author of a reply failed", threadId, reply.ParentSeq);
            }
        }
    }

    /// <summary>
    /// Not for a reply to yourself, nor to a deleted or hidden comment (it shows no author any more),
    /// nor to an imported one: its author is a display name with no account, and an import of a big
    /// discussion must not wake a user grain per reply for nothing.
    /// </summary>
    private void SendReply(Comment parent, Comment reply, string threadTitle)
    {
        if (parent.Deleted || parent.Hidden || parent.Author.Length == 0 || parent.Author == reply.Author || ImportedAuthor.Is(parent.Author)) return;
        grains.GetGrain<IUserGrain>(parent.Author).AddReply(ItemOf(reply, threadTitle, kind: null)).Ignore();
    }

    /// <summary>
    /// The mentioned users (resolved, bounded and without the author when posted: see
    /// UserGrain.PostComment). The parent's author hears of the reply instead: an inbox keeps one item
    /// per comment, and the parent is skipped here when it is in memory so that the kind is "reply".
    /// </summary>
    private void NotifyMentioned(Comment comment, string threadTitle)
    {
        if (comment.Mentions is not { Length: > 0 } mentioned) return;
        var parentAuthor = comment.ParentSeq > 0 ? recent.Find(comment.ParentSeq)?.Author : null;
        foreach (var name in mentioned)
        {
            if (name == comment.Author || name == parentAuthor) continue;
            grains.GetGrain<IUserGrain>(name).AddReply(ItemOf(comment, threadTitle, InboxItem.MentionKind)).Ignore();
        }
    }

    /// <summary>Who hears of the comment anyway: the mentioned, and its parent's author when the parent is in memory.</summary>
    private FollowedComment Followed(Comment c)
    {
        var parentAuthor = c.ParentSeq > 0 ? recent.Find(c.ParentSeq)?.Author : null;
        string[] told = [.. c.Mentions ?? [], .. parentAuthor is { Length: > 0 } ? [parentAuthor] : Array.Empty<string>()];
        return new FollowedComment(c.Seq, c.Author, told);
    }

    private InboxItem ItemOf(Comment comment, string threadTitle, string? kind) =>
        new(threadId, threadTitle, comment.Seq, comment.ParentSeq, comment.Author, InboxItem.SnippetOf(comment.Body), comment.CreatedAt, kind);
}
