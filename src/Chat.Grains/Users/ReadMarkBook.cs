namespace Chat.Grains.Users;

/// <summary>
/// A user's read marks (see <see cref="ReadMark"/>), kept in the user's state: the most recently
/// read <see cref="ReadMark.KeptPerUser"/> threads; reading one more forgets the longest unread one,
/// which then counts as never visited (no "N new" beside it). Marks only move forward, so two
/// devices or tabs reporting out of order cannot take one back. Changes are in memory and the grain
/// saves them lazily with the rest of the state: a reader's page reports every few seconds, and a
/// report must not cost a storage write (a crash forgets at most the last few seconds of reading).
/// </summary>
internal sealed class ReadMarkBook(Func<Dictionary<string, ThreadReadMark>> marks, TimeProvider time)
{
    public ReadMark[] Get(string[] threadIds)
    {
        if (threadIds.Length > ReadMark.MaxThreadsPerRequest) throw ChatException.Invalid($"At most {ReadMark.MaxThreadsPerRequest} threads at a time.");
        var all = marks();
        return threadIds.Distinct()
            .Select(id => all.TryGetValue(id, out var mark) ? new ReadMark(id, mark.Seq) : null)
            .OfType<ReadMark>()
            .ToArray();
    }

    /// <summary>A reader's report that they have read threadId up to seq: its shape, before anything else is asked.</summary>
    public static void Check(string threadId, long seq)
    {
        if (Limits.CheckThreadId(threadId) is { } error) throw ChatException.Invalid(error);
        if (seq < 0) throw ChatException.Invalid("seq must be 0 or more.");
    }

    /// <summary>
    /// Moves the mark of a checked report (<see cref="Check"/>). Only a mark that moves asks the
    /// thread: it must exist and have the seq (a page reports every few seconds at most, and only
    /// when the reader has read further). Returns the mark now, and whether the state changed.
    /// </summary>
    public async Task<(ReadMark Mark, bool Changed)> MarkReadAsync(IThreadGrain thread, string threadId, long seq)
    {
        if (Of(threadId) is { } mark && mark >= seq) return (new ReadMark(threadId, mark), false);
        var lastSeq = (await thread.GetInfo()).LastSeq;
        if (seq > lastSeq) throw ChatException.Invalid($"seq {seq} is past the thread's last comment ({lastSeq}).");
        var changed = Advance(threadId, seq);
        return (new ReadMark(threadId, Of(threadId) ?? seq), changed);
    }

    /// <summary>Moves the thread's mark up to seq (never down). True if anything changed.</summary>
    public bool Advance(string threadId, long seq)
    {
        var all = marks();
        if (all.TryGetValue(threadId, out var mark) && mark.Seq >= seq && mark.Seq > 0) return false;
        all[threadId] = new ThreadReadMark(Math.Max(seq, mark?.Seq ?? 0), time.GetUtcNow());
        if (all.Count > ReadMark.KeptPerUser) all.Remove(all.MinBy(m => m.Value.ReadAt).Key);
        return true;
    }

    /// <summary>The user posted seq: if they had read everything before it, they have read it too (it is theirs).</summary>
    public bool OwnCommentPosted(string threadId, long seq) =>
        marks().TryGetValue(threadId, out var mark) && mark.Seq == seq - 1 && Advance(threadId, seq);

    public long? Of(string threadId) => marks().TryGetValue(threadId, out var mark) ? mark.Seq : null;
}
