namespace Chat.Grains.Storage;

/// <summary>
/// The comment log in this process's memory: for grain tests that are not about Azure storage, and
/// for a host that runs without Azurite. It keeps the promises of <see cref="ICommentLog"/> that a
/// grain can tell, as <see cref="TableCommentLog"/> does (the contract tests run the same cases
/// against both): a batch of at most <see cref="Limits.MaxBatchSize"/> lands whole or not at all,
/// adding a seq that exists fails the whole batch, reads come in seq order, one vote per voter, a
/// replace needs the row, and times read back in UTC. Every call completes asynchronously, as a
/// storage request does: a grain's posts queue behind a write in flight and are group-committed.
/// </summary>
/// <remarks>
/// It never fails on its own; tests that need failures wrap it. All silos of a cluster must share
/// one instance (an in-process test cluster does): a thread that moves to another silo reads the
/// log its last activation wrote. Nothing survives the process.
/// </remarks>
public sealed class InMemoryCommentLog : ICommentLog
{
    private readonly Dictionary<string, Partition> _threads = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public async Task AppendAsync(string threadId, IReadOnlyList<StoredComment> batch, CancellationToken cancellationToken = default)
    {
        if (batch.Count == 0) return;
        if (batch.Count > Limits.MaxBatchSize)
            throw new ArgumentException($"A batch holds at most {Limits.MaxBatchSize} comments, got {batch.Count}.", nameof(batch));
        await RequestAsync(cancellationToken);
        lock (_lock)
        {
            // As one table transaction: one partition (the comments' thread), every row new, all or nothing.
            var partition = batch[0].Comment.ThreadId;
            var comments = Of(partition).Comments;
            var seqs = new HashSet<long>();
            foreach (var c in batch)
            {
                if (c.Comment.ThreadId != partition) throw Unavailable($"Writing {batch.Count} comments of thread {threadId} failed: a batch spans one thread.");
                if (!seqs.Add(c.Comment.Seq) || comments.ContainsKey(c.Comment.Seq))
                    throw Unavailable($"Writing {batch.Count} comments of thread {threadId} failed: comment {c.Comment.Seq} exists.");
            }
            foreach (var c in batch) comments.Add(c.Comment.Seq, AsStored(c));
        }
    }

    public async Task<IReadOnlyList<StoredComment>> ReadAsync(string threadId, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        await RequestAsync(cancellationToken);
        lock (_lock)
        {
            if (!_threads.TryGetValue(threadId, out var thread)) return [];
            return thread.Comments.Values.Where(c => c.Comment.Seq > afterSeq).Take(limit).ToList();
        }
    }

    public async Task<string?> NextThreadIdAsync(string? afterThreadId, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock)
            return _threads.Where(t => (afterThreadId is null || string.CompareOrdinal(t.Key, afterThreadId) > 0))
                .Select(t => t.Key).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    public async Task<StoredComment?> ReadOneAsync(string threadId, long seq, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock) return _threads.TryGetValue(threadId, out var thread) ? thread.Comments.GetValueOrDefault(seq) : null;
    }

    public async Task ReplaceAsync(StoredComment comment, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        var c = comment.Comment;
        lock (_lock)
        {
            if (!_threads.TryGetValue(c.ThreadId, out var thread) || !thread.Comments.ContainsKey(c.Seq))
                throw Unavailable($"Updating comment {c.Seq} of thread {c.ThreadId} failed: there is no such row.");
            thread.Comments[c.Seq] = AsStored(comment);
        }
    }

    public async Task ReplaceKeepingAsync(StoredComment comment, CommentVersion earlier, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        var c = comment.Comment;
        lock (_lock)
        {
            if (!_threads.TryGetValue(c.ThreadId, out var thread) || !thread.Comments.ContainsKey(c.Seq))
                throw Unavailable($"Updating comment {c.Seq} of thread {c.ThreadId} failed: there is no such row.");
            if (!thread.History.TryGetValue(c.Seq, out var kept)) thread.History[c.Seq] = kept = [];
            kept.Add(earlier with { At = earlier.At.ToUniversalTime() });
            if (kept.Count > CommentVersion.MaxVersions - 1) kept.RemoveRange(0, kept.Count - (CommentVersion.MaxVersions - 1));
            thread.Comments[c.Seq] = AsStored(comment);
        }
    }

    public async Task<IReadOnlyList<CommentVersion>> ReadHistoryAsync(string threadId, long seq, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock) return _threads.TryGetValue(threadId, out var thread) && thread.History.TryGetValue(seq, out var kept) ? [.. kept] : [];
    }

    public async Task<long> CountGoneAsync(string threadId, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock) return _threads.TryGetValue(threadId, out var thread) ? thread.Comments.Values.LongCount(c => c.Comment.Deleted || c.Comment.Hidden) : 0;
    }

    public async Task<long> ReadThreadPointsAsync(string threadId, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock) return _threads.TryGetValue(threadId, out var thread) ? thread.Points : 0;
    }

    public async Task<bool> ApplyVoteAsync(string threadId, long seq, string voter, bool up, long pointsAfter, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock)
        {
            var thread = Of(threadId);
            var key = (voter, seq);
            // As the table's transaction: the vote row first (add or delete), then the target's count.
            if (up ? thread.Votes.Contains(key) : !thread.Votes.Contains(key)) return false;
            if (seq != 0 && !thread.Comments.ContainsKey(seq))
                throw Unavailable($"Writing a vote on {seq} of thread {threadId} failed: there is no such comment.");
            if (up) thread.Votes.Add(key);
            else thread.Votes.Remove(key);
            if (seq == 0) thread.Points = pointsAfter;
            else thread.Comments[seq] = thread.Comments[seq] with { Comment = thread.Comments[seq].Comment with { Points = pointsAfter } };
            return true;
        }
    }

    public async Task<IReadOnlyList<long>> ReadVotesOfAsync(string threadId, string voter, CancellationToken cancellationToken = default)
    {
        await RequestAsync(cancellationToken);
        lock (_lock)
        {
            if (!_threads.TryGetValue(threadId, out var thread)) return [];
            return thread.Votes.Where(v => v.Voter == voter).Select(v => v.Seq).Order().ToList();
        }
    }

    /// <summary>The start of a request: it completes later, as a storage answer does; a cancelled one fails as the table's would.</summary>
    private static async Task RequestAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (cancellationToken.IsCancellationRequested) throw Unavailable("The request was cancelled.");
    }

    private Partition Of(string threadId)
    {
        if (!_threads.TryGetValue(threadId, out var thread)) _threads[threadId] = thread = new Partition();
        return thread;
    }

    /// <summary>What the table would give back: times in UTC, no mentions as none (not an empty list), a copy of the list.</summary>
    private static StoredComment AsStored(StoredComment stored)
    {
        var c = stored.Comment;
        return stored with
        {
            Comment = c with
            {
                CreatedAt = c.CreatedAt.ToUniversalTime(),
                EditedAt = c.EditedAt?.ToUniversalTime(),
                Mentions = c.Mentions is { Length: > 0 } m ? [.. m] : null,
            },
        };
    }

    private static CommentLogUnavailableException Unavailable(string message) => new(message);

    private sealed class Partition
    {
        public SortedList<long, StoredComment> Comments { get; } = [];
        public HashSet<(string Voter, long Seq)> Votes { get; } = [];
        public long Points { get; set; }
        public Dictionary<long, List<CommentVersion>> History { get; } = [];
    }
}
