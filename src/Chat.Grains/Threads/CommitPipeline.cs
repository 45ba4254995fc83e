using System.Diagnostics.CodeAnalysis;
using Chat.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// A thread's group commit. Each post queues and waits; a transaction takes up to 100 queued posts,
/// gives them the next seqs and writes them to the comment log at once. Up to MaxFlushesInFlight
/// transactions are in flight, but they settle strictly in seq order: a poster gets its seq (and
/// the batch goes to <paramref name="settled"/>, which tells the web nodes) only once its write and
/// every write before it are durable. After a failed write the log is re-read before anything new
/// is numbered: what landed after all is acknowledged, a hole left below a later write that landed
/// is filled (see <see cref="ReadTailRepairingHolesAsync"/>), and what did not land is written
/// again, up to <see cref="MaxWriteAttempts"/> times. Only when the log does not answer the re-read
/// either (storage is down, not just slow) is every waiting poster told "storage unavailable".
/// </summary>
/// <remarks>
/// A plain class, so that it can be tested against a comment log without a silo. It lives in a
/// reentrant grain: all its state changes happen in synchronous stretches between awaits, on the
/// grain's single-threaded scheduler; it is not thread-safe otherwise.
/// </remarks>
internal sealed class CommitPipeline(
    string threadId,
    ICommentLog log,
    RecentComments recent,
    int maxFlushesInFlight,
    Action<IReadOnlyList<StoredComment>> settled,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>A placeholder's clientId; its author is empty, which no user has, so it never matches a retry.</summary>
    internal const string PlaceholderClientIdPrefix = "hole:";

    /// <summary>
    /// How many times a post's comment is written before its poster is told "storage unavailable"
    /// although the log answers: a write that timed out on a busy machine is slow, not refused, and
    /// a slow write is not a failure a poster should see; one that keeps failing is.
    /// </summary>
    internal const int MaxWriteAttempts = 3;

    /// <summary>
    /// How many times the log is re-read after a failed write, <see cref="ReReadPause"/> apart,
    /// before the posters waiting for the answer are told "storage unavailable": a read can time out
    /// on a saturated machine too. With the comment log's 1.5 s timeout a storage that is down is
    /// reported within about 6 s.
    /// </summary>
    internal const int MaxReReadAttempts = 3;

    internal static readonly TimeSpan ReReadPause = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, PendingPost> _pendingByClientKey = new(StringComparer.Ordinal);
    private readonly List<PendingPost> _queue = [];
    // Table transactions started and not yet settled, in seq order (at most maxFlushesInFlight).
    private readonly Queue<Flush> _inFlight = new();
    // What the writes of a failed round tried to store, by seq: a hole found below a later write
    // that landed is filled with these (the posters are still waiting for them).
    private readonly Dictionary<long, StoredComment> _unsettled = [];
    // The posts of a failed round's writes, in seq order, waiting for the re-read to tell whether
    // their comments landed (then they are acknowledged) or must be written again.
    private readonly List<PendingPost> _held = [];
    private Task _settler = Task.CompletedTask;
    private bool _mustReconcile;

    /// <summary>
    /// The seq of the post this client key names, if it is committed or waiting in the pipeline: a
    /// retry (same author and clientId) gets the first post's seq and stores nothing new.
    /// </summary>
    public bool TryGetKnown(string clientKey, [NotNullWhen(true)] out Task<long>? seq)
    {
        if (recent.TryGetSeq(clientKey, out var committed)) seq = Task.FromResult(committed);
        else seq = _pendingByClientKey.TryGetValue(clientKey, out var pending) ? pending.Completion.Task : null;
        return seq is not null;
    }

    /// <summary>
    /// Nothing queued, in flight or in doubt: memory matches the log, so a migrating activation may
    /// hand its memory over instead of the next one reading the log.
    /// </summary>
    public bool Idle => _queue.Count == 0 && _inFlight.Count == 0 && _held.Count == 0 && !_mustReconcile;

    /// <summary>Queues a checked post whose client key is not known (<see cref="TryGetKnown"/>) and returns its seq once settled.</summary>
    public Task<long> Submit(NewComment comment, string clientKey)
    {
        var pending = new PendingPost(comment, clientKey);
        _pendingByClientKey.Add(clientKey, pending);
        _queue.Add(pending);
        DispatchWhilePossible();
        if (_settler.IsCompleted && (_inFlight.Count > 0 || _queue.Count > 0)) _settler = SettleLoopAsync();
        return pending.Completion.Task;
    }

    /// <summary>On activation: reads the log after <see cref="RecentComments.LastSeq"/>, filling holes, into memory.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var tail = await ReadTailRepairingHolesAsync(cancellationToken);
        Absorb(tail);
        return tail.Count;
    }

    private void DispatchWhilePossible()
    {
        // After a failed write nothing new is numbered until the log has been re-read.
        if (_mustReconcile) return;
        // A second transaction only for a full batch: below that, waiting for the one in flight
        // gathers a bigger batch (group commit), and storage is not the limit anyway.
        while (_queue.Count > 0 && (_inFlight.Count == 0 || (_queue.Count >= Limits.MaxBatchSize && _inFlight.Count < maxFlushesInFlight)))
        {
            var count = Math.Min(_queue.Count, Limits.MaxBatchSize);
            var posts = _queue.GetRange(0, count);
            _queue.RemoveRange(0, count);
            var firstSeq = (_inFlight.Count > 0 ? _inFlight.Last().Batch[^1].Comment.Seq : recent.LastSeq) + 1;
            var now = time.GetUtcNow();
            var batch = new List<StoredComment>(count);
            for (var i = 0; i < count; i++)
            {
                metrics.Stages.Since(PostStages.GroupCommitWait, posts[i].QueuedAt);
                posts[i].Attempts++;
                var c = posts[i].Comment;
                batch.Add(new StoredComment(new Comment(threadId, firstSeq + i, c.ParentSeq, c.Author, c.Body, c.CreatedAt ?? now, Mentions: c.Mentions), c.ClientId));
            }
            _inFlight.Enqueue(new Flush(posts, batch, AppendTimedAsync(batch)));
        }
    }

    /// <returns>When the write was done (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>): the start of its wait to settle in order.</returns>
    private async Task<long> AppendTimedAsync(List<StoredComment> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await log.AppendAsync(threadId, batch);
        var written = System.Diagnostics.Stopwatch.GetTimestamp();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started, written);
        metrics.RecordFlush(batch.Count, elapsed);
        metrics.Stages.Record(PostStages.StorageWrite, elapsed, batch.Count);
        return written;
    }

    /// <summary>
    /// Settles the writes in flight strictly in seq order: a batch is acknowledged and pushed only
    /// once it and every batch before it are durable, so nobody ever sees seq n+1 while n could still
    /// be missing. A later write may land before an earlier one fails; the re-read after the failure
    /// then finds a hole below it and fills it.
    /// </summary>
    private async Task SettleLoopAsync()
    {
        while (true)
        {
            if (_mustReconcile)
            {
                if (!await TryReconcileAsync())
                {
                    // Storage does not answer: everyone waiting is told at once, rather than each
                    // waiting out its own timeout (a retry with the same clientId is safe).
                    FailPosts(_held);
                    _held.Clear();
                    FailPosts(_queue);
                    _queue.Clear();
                    return;
                }
                RequeueHeld();
            }
            // Whatever queued meanwhile (or stayed queued through a failure) goes out now: the
            // loop only ends with nothing queued.
            DispatchWhilePossible();
            if (!_inFlight.TryPeek(out var oldest)) return;
            long written;
            try
            {
                written = await oldest.Write;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Flush of {Count} comments in thread {ThreadId} failed: {Message}", oldest.Batch.Count, threadId, ex.Message);
                await SettleAfterFailureAsync();
                continue;
            }
            _inFlight.Dequeue();
            metrics.Stages.Since(PostStages.SettleInOrder, written, oldest.Batch.Count);
            Settle(oldest.Batch);
        }
    }

    /// <summary>
    /// Comments now durable with everything before them: their posters get their seqs, and only now
    /// are they counted as acknowledged (a write that landed while an earlier one was still in doubt
    /// is not, until it settles).
    /// </summary>
    private void Settle(List<StoredComment> batch)
    {
        metrics.CommentsAcknowledged(Absorb(batch));
        settled(batch);
    }

    /// <summary>
    /// After a failed write. Its posters keep waiting: a timeout is not a "no" (on a busy machine the
    /// write often landed after all), so the settle loop re-reads the log before numbering anything
    /// new, and only a re-read that fails too tells them storage is unavailable. First the writes
    /// behind the failed one are let finish (landed or not); what each tried to store is kept, since
    /// that is what a hole below a landed write is filled with, and their posts are held in order.
    /// </summary>
    private async Task SettleAfterFailureAsync()
    {
        _mustReconcile = true;
        while (_inFlight.TryDequeue(out var flush))
        {
            try { await flush.Write; }
            catch (Exception) { /* the re-read decides */ }
            foreach (var c in flush.Batch) _unsettled[c.Comment.Seq] = c;
            _held.AddRange(flush.Posts);
        }
    }

    /// <summary>
    /// After a successful re-read: the held posts whose comments it did not find are queued again,
    /// ahead of everything queued since and in their old order, to be numbered and written anew (the
    /// seqs they had were never stored nor told to anyone). A post written <see cref="MaxWriteAttempts"/>
    /// times is given up on: its poster is told "storage unavailable" and may retry.
    /// </summary>
    private void RequeueHeld()
    {
        var again = _held.Where(p => !p.Completion.Task.IsCompleted).ToList();
        _held.Clear();
        FailPosts(again.Where(p => p.Attempts >= MaxWriteAttempts).ToList());
        _queue.InsertRange(0, again.Where(p => p.Attempts < MaxWriteAttempts));
    }

    /// <summary>
    /// Re-reads the log after a failed write. Returns false if storage is still down. While posters
    /// of the failed round are waiting for this answer, a failed read is tried again (up to
    /// <see cref="MaxReReadAttempts"/> reads, <see cref="ReReadPause"/> apart): on a saturated
    /// machine a read can time out as the write did. Without them (storage was found down before
    /// and a new post asks again) one read decides, so posts keep failing fast during an outage.
    /// </summary>
    private async Task<bool> TryReconcileAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var landed = await ReadTailRepairingHolesAsync(CancellationToken.None);
                _mustReconcile = false;
                _unsettled.Clear();
                if (landed.Count > 0)
                {
                    logger.LogInformation("Thread {ThreadId}: {Count} comments of failed flushes are in the log after all", threadId, landed.Count);
                    Settle(landed);
                    _queue.RemoveAll(p => p.Completion.Task.IsCompleted);
                }
                return true;
            }
            catch (CommentLogUnavailableException)
            {
                if (attempt >= MaxReReadAttempts || !_held.Any(p => !p.Completion.Task.IsCompleted)) return false;
                logger.LogInformation("Thread {ThreadId}: re-reading the log after a failed write failed (attempt {Attempt}); trying again", threadId, attempt);
                await Task.Delay(ReReadPause);
            }
        }
    }

    /// <summary>
    /// The log after the last acknowledged seq, gapless. With several writes in flight, a later one
    /// can land while an earlier one fails: that leaves seqs missing below a stored one. They are
    /// written now (Add, so a late landing of the failed write makes this fail instead of being
    /// overwritten; the next re-read then finds it): with the comments the failed write carried when
    /// this activation still has them, otherwise (after a crash) as deleted placeholders. Readers
    /// therefore never meet a gap that stays.
    /// </summary>
    private async Task<List<StoredComment>> ReadTailRepairingHolesAsync(CancellationToken cancellationToken)
    {
        var tail = await log.ReadAllAfterAsync(threadId, recent.LastSeq, cancellationToken);
        var missing = new List<StoredComment>();
        var expected = recent.LastSeq + 1;
        foreach (var c in tail)
        {
            for (; expected < c.Comment.Seq; expected++)
                missing.Add(_unsettled.GetValueOrDefault(expected) ?? Placeholder(expected));
            expected = c.Comment.Seq + 1;
        }
        if (missing.Count == 0) return tail;

        logger.LogWarning("Thread {ThreadId}: seqs {First}..{Last} are missing below a stored comment (a failed write under a later one that landed); writing {Count} of them now",
            threadId, missing[0].Comment.Seq, missing[^1].Comment.Seq, missing.Count);
        foreach (var chunk in missing.Chunk(Limits.MaxBatchSize))
            await log.AppendAsync(threadId, chunk, cancellationToken);
        return [.. tail.Concat(missing).OrderBy(c => c.Comment.Seq)];
    }

    /// <summary>
    /// What fills a seq whose comment is lost for good (unacknowledged, so nobody was told it exists):
    /// deleted, so nobody can vote on, edit or reply to it, and hidden, so pages leave it out.
    /// </summary>
    private StoredComment Placeholder(long seq) =>
        new(new Comment(threadId, seq, 0, "", "", time.GetUtcNow(), Deleted: true, Hidden: true), PlaceholderClientIdPrefix + seq.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void FailPosts(List<PendingPost> posts)
    {
        var error = ChatException.StorageUnavailable();
        foreach (var p in posts)
        {
            if (_pendingByClientKey.TryGetValue(p.ClientKey, out var current) && ReferenceEquals(current, p))
                _pendingByClientKey.Remove(p.ClientKey);
            p.Completion.TrySetException(error);
        }
    }

    /// <summary>
    /// Takes committed comments into memory and completes their waiting posters: those of a flushed
    /// batch, and after a re-read also those whose earlier failed write had landed (they may be
    /// queued again as a retry). Returns how many new comments it took, placeholders left out.
    /// </summary>
    private int Absorb(IReadOnlyList<StoredComment> committed)
    {
        var comments = 0;
        foreach (var c in committed)
        {
            if (recent.Add(c) is not { } clientKey) continue;
            if (c.Comment.Author.Length > 0) comments++;
            if (_pendingByClientKey.Remove(clientKey, out var pending)) pending.Completion.TrySetResult(c.Comment.Seq);
        }
        recent.Trim();
        return comments;
    }

    private sealed record PendingPost(NewComment Comment, string ClientKey)
    {
        /// <summary>When it joined the queue: the start of its group-commit wait.</summary>
        public long QueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>How many writes have carried it (a failed one is retried, see <see cref="MaxWriteAttempts"/>).</summary>
        public int Attempts { get; set; }
    }

    /// <summary>One table transaction: the posts it acknowledges, the rows it writes, the write itself.</summary>
    private sealed record Flush(List<PendingPost> Posts, List<StoredComment> Batch, Task<long> Write);
}
