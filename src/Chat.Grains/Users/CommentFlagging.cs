namespace Chat.Grains.Users;

/// <summary>
/// A user's flags, for <see cref="UserGrain"/>: remembers what the user flagged (once per comment),
/// rate-limits them, and hands the comment, with its context, to the moderation queue. Reads the
/// comment through the thread's public reads: the thread grain needs nothing new for flags.
/// </summary>
internal sealed class CommentFlagging(IGrainFactory grains, UserState state, LimitsOptions limits, TimeProvider time)
{
    private const int Remembered = 1_000;

    private readonly TokenBucket _bucket = new(limits.FlagBurstPerUser, limits.FlagsPerMinutePerUser / 60, time);

    /// <summary>Returns the result, and whether the user's state changed (to be saved).</summary>
    public async Task<(FlagResult Result, bool Changed)> FlagAsync(string flagger, string threadId, long seq, string reason)
    {
        if (Flags.CheckReason(reason) is { } reasonError) throw ChatException.Invalid(reasonError);
        if (Limits.CheckThreadId(threadId) is { } threadError) throw ChatException.Invalid(threadError);
        var key = threadId + "/" + seq;
        var earlier = state.Flagged.FindIndex(f => f.StartsWith(key + "/", StringComparison.Ordinal));
        if (earlier >= 0) return (new FlagResult(state.Flagged[earlier][(key.Length + 1)..], AlreadyFlagged: true), false);
        if (!_bucket.TryTake(out var retryAfter)) throw ChatException.RateLimited("flags", retryAfter);

        var thread = grains.GetGrain<IThreadGrain>(threadId);
        var comment = await ReadAsync(thread, seq) ?? throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        if (comment.Deleted || comment.Hidden) throw ChatException.Invalid("This comment is gone already (deleted or hidden).");
        if (comment.Author == flagger) throw ChatException.Forbidden("You cannot flag your own comment.");
        var info = await thread.GetInfo();
        var parent = comment.ParentSeq > 0 ? await ReadAsync(thread, comment.ParentSeq) : null;
        var snapshot = new FlaggedComment(threadId, info.Title, seq, comment.ParentSeq, comment.Author, comment.Body, comment.CreatedAt,
            parent?.Author is { Length: > 0 } parentAuthor ? parentAuthor : null, parent is { Body.Length: > 0 } ? InboxItem.SnippetOf(parent.Body) : null, [], false);
        await grains.GetGrain<IFlagQueueGrain>(0).AddFlag(snapshot, new Flag(flagger, reason, time.GetUtcNow()));

        state.Flagged.Add(key + "/" + reason);
        if (state.Flagged.Count > Remembered) state.Flagged.RemoveRange(0, state.Flagged.Count - Remembered);
        return (new FlagResult(reason, AlreadyFlagged: false), true);
    }

    private static async Task<Comment?> ReadAsync(IThreadGrain thread, long seq)
    {
        if (seq < 1) return null;
        var page = await thread.GetComments(seq - 1, 1);
        return page.Comments is [var c] && c.Seq == seq ? c : null;
    }
}
