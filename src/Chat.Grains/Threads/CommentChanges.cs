using Chat.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// Edits, deletes, votes and hides of a thread's stored comments, and votes on the thread itself.
/// Each reads a row, then writes it: one at a time, so that two votes on one comment never both
/// count from the same old value. Posting does not wait on this.
/// </summary>
internal sealed class CommentChanges(
    string threadId,
    ICommentLog log,
    RecentComments recent,
    IGrainFactory grains,
    TimeProvider time,
    TimeSpan editWindow,
    Action<Comment, bool> changed,
    ILogger logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The thread's own points (votes on seq 0); read from the log on activation.</summary>
    public long ThreadPoints { get; set; }

    public Task<Comment> EditAsync(long seq, string author, string body) => ChangeAsync(seq, async stored =>
    {
        var c = stored.Comment;
        if (c.Author != author) throw ChatException.Forbidden("Only its author can edit a comment.");
        if (c.Deleted) throw ChatException.Invalid("This comment was deleted.");
        if (c.Hidden) throw ChatException.Forbidden("A moderator hid this comment.");
        var now = time.GetUtcNow();
        if (now - c.CreatedAt > editWindow)
            throw ChatException.Forbidden($"Comments can only be edited within {FormatWindow(editWindow)} of posting.");
        var edited = c with { Body = body, EditedAt = now };
        await log.ReplaceKeepingAsync(stored with { Comment = edited }, new CommentVersion(c.Body, c.EditedAt ?? c.CreatedAt));
        return edited;
    });

    /// <summary>
    /// The versions of comment seq, oldest first, its text now last. A deleted or hidden comment's
    /// words are for moderators only: its author took them back, or a moderator took them away.
    /// </summary>
    public async Task<CommentVersion[]> HistoryAsync(long seq, bool moderator)
    {
        if (seq < 1 || seq > recent.LastSeq) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        try
        {
            var stored = await log.ReadOneAsync(threadId, seq) ?? throw ChatException.NotFound($"There is no comment {seq} in this thread.");
            var c = stored.Comment;
            if (RecentComments.IsGone(c) && !moderator) throw ChatException.Forbidden("This comment was deleted or hidden: only moderators can see what it said.");
            var earlier = await log.ReadHistoryAsync(threadId, seq);
            return [.. earlier, new CommentVersion(c.Body, c.EditedAt ?? c.CreatedAt)];
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    public Task<Comment> DeleteAsync(long seq, string author) => ChangeAsync(seq, async stored =>
    {
        var c = stored.Comment;
        if (c.Author != author) throw ChatException.Forbidden("Only its author can delete a comment.");
        if (c.Deleted) return c;
        // The body is gone for good; the row keeps the author so that a retried post (same
        // author and clientId) is still recognised and not stored again.
        var deleted = await ReplaceAsync(stored, c with { Body = "", Deleted = true, Mentions = null });
        ForgetMentions(c);
        return deleted;
    });

    public Task<Comment> SetHiddenAsync(long seq, bool hidden, string moderator) => ChangeAsync(seq, async stored =>
    {
        var c = stored.Comment;
        if (c.Hidden == hidden) return null;
        var result = await ReplaceAsync(stored, c with { Hidden = hidden });
        logger.LogInformation("Comment {Seq} of thread {ThreadId} {Action} by moderator {Moderator}", seq, threadId, hidden ? "hidden" : "shown again", moderator);
        // Off the author's page and the replied-to's inbox too (one-way: display lists must not
        // hold up moderation).
        if (hidden && !c.Deleted)
        {
            grains.GetGrain<IUserGrain>(c.Author).ForgetComment(threadId, seq, c.ParentSeq).Ignore();
            ForgetMentions(c);
        }
        return result;
    });

    /// <summary>A deleted or hidden comment's words leave the inboxes of those it mentioned (one-way, like the rest).</summary>
    private void ForgetMentions(Comment c)
    {
        foreach (var name in c.Mentions ?? []) grains.GetGrain<IUserGrain>(name).RemoveReply(threadId, c.Seq).Ignore();
    }

    public Task<Comment> VoteAsync(long seq, string voter, bool up) => ChangeAsync(seq, async stored =>
    {
        var c = stored.Comment;
        if (c.Author == voter) throw ChatException.Forbidden("You cannot vote on your own comment.");
        if (c.Deleted) throw ChatException.Invalid("This comment was deleted.");
        if (c.Hidden && up) throw ChatException.Forbidden("A moderator hid this comment.");
        var after = c.Points + (up ? 1 : -1);
        if (!await ApplyVoteAsync(seq, voter, up, after)) return null;
        grains.GetGrain<IUserGrain>(c.Author).AddKarma(up ? 1 : -1).Ignore();
        return c with { Points = after };
    });

    /// <summary>A vote on the thread itself. Returns the points; applied hears of a change (inside the one-at-a-time stretch, so in order).</summary>
    public async Task<long> VoteOnThreadAsync(string voter, bool up, string threadAuthor, Action<long> applied)
    {
        if (voter == threadAuthor) throw ChatException.Forbidden("You cannot vote on your own thread.");
        await _gate.WaitAsync();
        try
        {
            var after = ThreadPoints + (up ? 1 : -1);
            if (!await ApplyVoteAsync(0, voter, up, after)) return ThreadPoints;
            ThreadPoints = after;
            applied(after);
            grains.GetGrain<IUserGrain>(threadAuthor).AddKarma(up ? 1 : -1).Ignore();
            return after;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The seqs voter has up-voted here (0 = the thread).</summary>
    public async Task<long[]> VotesOfAsync(string voter)
    {
        try
        {
            return [.. await log.ReadVotesOfAsync(threadId, voter)];
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    private async Task<Comment> ReplaceAsync(StoredComment stored, Comment changedComment)
    {
        await log.ReplaceAsync(stored with { Comment = changedComment });
        return changedComment;
    }

    private async Task<bool> ApplyVoteAsync(long seq, string voter, bool up, long pointsAfter)
    {
        try
        {
            return await log.ApplyVoteAsync(threadId, seq, voter, up, pointsAfter);
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    /// <summary>
    /// Reads comment seq from the log (the truth, also after a write that failed for us but landed),
    /// lets change decide and store its new version (null = nothing changed), then takes it into the
    /// hot window and hands it to <c>changed</c> (which pushes it to the nodes). Returns the comment
    /// as readers see it now.
    /// </summary>
    private async Task<Comment> ChangeAsync(long seq, Func<StoredComment, Task<Comment?>> change)
    {
        if (seq < 1 || seq > recent.LastSeq) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        await _gate.WaitAsync();
        try
        {
            StoredComment stored;
            Comment? after;
            try
            {
                stored = await log.ReadOneAsync(threadId, seq) ?? throw ChatException.NotFound($"There is no comment {seq} in this thread.");
                after = await change(stored);
            }
            catch (CommentLogUnavailableException)
            {
                throw ChatException.StorageUnavailable();
            }
            if (after is null) return RecentComments.Public(stored.Comment);
            var countChanged = recent.Changed(stored.Comment, after);
            var shown = RecentComments.Public(after);
            changed(shown, countChanged);
            return shown;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string FormatWindow(TimeSpan window) =>
        window.TotalMinutes >= 1 && window.Seconds == 0 ? $"{(int)window.TotalMinutes} minutes" : $"{(int)window.TotalSeconds} seconds";
}
