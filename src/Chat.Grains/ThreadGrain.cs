using Chat.Grains.Storage;
using Orleans.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Grains;

/// <summary>
/// A discussion thread. Posts are group-committed: each call queues its comment and waits; a single
/// flusher takes up to 100 queued comments, gives them the next seqs and writes them in one table
/// transaction. Only after that write succeeded do the callers get their seq (acknowledged =
/// durable), and then the batch goes once to every subscribed web node.
/// </summary>
/// <remarks>
/// Reentrant so that posts can queue while a flush is awaiting storage; all state changes happen in
/// synchronous stretches between awaits, on the grain's single-threaded scheduler.
/// Random placement: the default (resource-optimised, preferring the caller's silo) would put every
/// thread a user starts on that user's silo; threads are the unit of load, so spread them evenly,
/// including onto a silo that just joined.
/// </remarks>
[Reentrant]
[RandomPlacement]
public sealed class ThreadGrain(
    [PersistentState("thread", ChatStorage.GrainStorageName)] IPersistentState<ThreadState> state,
    ICommentLog log,
    IOptions<ThreadGrainOptions> options,
    ChatMetrics metrics,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    ILogger<ThreadGrain> logger) : Grain, IThreadGrain
{
    private readonly ThreadGrainOptions _options = options.Value;
    private readonly List<Comment> _hot = [];
    private readonly Dictionary<string, long> _seqByClientKey = new(StringComparer.Ordinal);
    private readonly Queue<string> _clientKeysByAge = new();
    private readonly Dictionary<string, PendingPost> _pendingByClientKey = new(StringComparer.Ordinal);
    private readonly List<PendingPost> _queue = [];
    private readonly Dictionary<string, NodeSubscription> _nodes = new(StringComparer.Ordinal);
    private long _lastSeq;
    private int _viewers;
    // Table transactions started and not yet settled, in seq order (at most MaxFlushesInFlight).
    private readonly Queue<Flush> _inFlight = new();
    // What the writes of a failed round tried to store, by seq: a hole found below a later write
    // that landed is filled with these (the posters are still waiting for them).
    private readonly Dictionary<long, StoredComment> _unsettled = [];
    private Task _settler = Task.CompletedTask;
    private bool _mustReconcile;
    private bool _stateDirty;
    private bool _stateWriteInFlight;
    private bool _frontPageDirty;
    private DateTimeOffset _frontPageSentAt = DateTimeOffset.MinValue;
    private long _threadPoints;

    // Edits, deletes and votes read a row, then write it: one at a time, so that two votes on one
    // comment never both count from the same old value. Posting does not wait on this.
    private readonly SemaphoreSlim _changeGate = new(1, 1);

    // Grain state is written by the housekeeping timer, on deactivation and by a lock or unlock: one
    // write at a time, or two would race on the ETag.
    private readonly SemaphoreSlim _stateGate = new(1, 1);

    // When each user's typing signal last went out: at most one per user per TypingPeriod, so a fast
    // typist (or a script) costs the nodes little. Never stored.
    private readonly Dictionary<string, (long ParentSeq, DateTimeOffset SentAt)> _typingSentAt = new(StringComparer.Ordinal);

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Exists)
        {
            // Grain state's LastSeq may lag the log; the log is the truth. Read from a little before
            // it so that the hot window and the recent clientIds (for de-duplication of retries after
            // a crash) are warm.
            _lastSeq = Math.Max(0, state.State.LastSeq - _options.HotWindowSize);
            Absorb(await ReadTailRepairingHolesAsync(cancellationToken));
            _threadPoints = await log.ReadThreadPointsAsync(Id, cancellationToken);
        }
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(_options.HousekeepingPeriod, _options.HousekeepingPeriod) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_stateDirty && !_stateWriteInFlight)
        {
            try { await WriteStateAsync(); }
            catch (Exception ex) { logger.LogWarning(ex, "Saving thread {ThreadId} on deactivation failed; the log still holds every comment", Id); }
        }
        if (_frontPageDirty) SendFrontPageUpdate();
    }

    public async Task<ThreadInfo> Create(NewThread thread)
    {
        if (Limits.CheckTitle(thread.Title) is { } titleError) throw ChatException.Invalid(titleError);
        if (Limits.CheckUrl(thread.Url) is { } urlError) throw ChatException.Invalid(urlError);
        if (thread.Body is { Length: > Limits.BodyMaxLength }) throw ChatException.Invalid(Limits.CheckBody(thread.Body)!);
        if (state.State.Exists) throw ChatException.Conflict($"Thread {Id} exists already.");

        state.State.Exists = true;
        state.State.Title = thread.Title.Trim();
        state.State.Url = string.IsNullOrWhiteSpace(thread.Url) ? null : thread.Url.Trim();
        state.State.Body = string.IsNullOrWhiteSpace(thread.Body) ? null : thread.Body;
        state.State.Author = thread.Author;
        state.State.CreatedAt = time.GetUtcNow();
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            state.State.Exists = false;
            throw;
        }
        // Awaited, so that the creator finds the thread on the front page when they look.
        await GrainFactory.GetGrain<IFrontPageGrain>(0).Update(Summary());
        _frontPageSentAt = DateTimeOffset.UtcNow;
        return Info();
    }

    public Task<ThreadInfo> GetInfo()
    {
        EnsureExists();
        return Task.FromResult(Info());
    }

    public Task<long> Post(NewComment comment)
    {
        EnsureExists();
        if (Limits.CheckBody(comment.Body) is { } bodyError) throw ChatException.Invalid(bodyError);
        if (Limits.CheckClientId(comment.ClientId) is { } clientIdError) throw ChatException.Invalid(clientIdError);
        if (string.IsNullOrEmpty(comment.Author)) throw ChatException.Invalid("A comment needs an author.");
        if (comment.ParentSeq < 0 || comment.ParentSeq > _lastSeq)
            throw ChatException.Invalid($"There is no comment {comment.ParentSeq} in this thread to reply to.");

        // The same author's clientId names one post: a retry gets the first post's seq.
        var clientKey = comment.Author + "\n" + comment.ClientId;
        if (_seqByClientKey.TryGetValue(clientKey, out var seq)) return Task.FromResult(seq);
        if (_pendingByClientKey.TryGetValue(clientKey, out var inFlight)) return inFlight.Completion.Task;
        // After the retry checks: a post acknowledged before the lock still gets its seq when retried.
        if (state.State.Locked) throw ChatException.Forbidden("This thread is locked: it takes no new comments.");

        var pending = new PendingPost(comment, clientKey);
        _pendingByClientKey.Add(clientKey, pending);
        _queue.Add(pending);
        PumpFlushes();
        return pending.Completion.Task;
    }

    public async Task<CommentPage> GetComments(long afterSeq, int limit)
    {
        EnsureExists();
        if (afterSeq < 0) throw ChatException.Invalid("after must be 0 or more.");
        limit = Math.Clamp(limit, 1, Limits.MaxPageSize);
        var lastSeq = _lastSeq;
        if (afterSeq >= lastSeq) return new CommentPage([], lastSeq);

        // Served from memory when the hot window reaches back far enough, otherwise from the log.
        if (_hot.Count > 0 && afterSeq + 1 >= _hot[0].Seq)
        {
            var start = (int)(afterSeq + 1 - _hot[0].Seq);
            return new CommentPage(_hot.GetRange(start, Math.Min(limit, _hot.Count - start)).ToArray(), lastSeq);
        }
        try
        {
            // Only what was acknowledged when the read began: a row of a flush still in flight is
            // not acknowledged yet.
            var rows = await log.ReadAsync(Id, afterSeq, limit);
            return new CommentPage(rows.Where(r => r.Comment.Seq <= lastSeq).Select(r => Public(r.Comment)).ToArray(), lastSeq);
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    public Task<Subscription> Subscribe(string nodeId, IThreadObserver observer, int viewers)
    {
        EnsureExists();
        _nodes[nodeId] = new NodeSubscription(observer, Math.Max(0, viewers), DateTimeOffset.UtcNow + _options.SubscriptionExpiry);
        RecountViewers();
        return Task.FromResult(new Subscription(_lastSeq, _viewers));
    }

    public Task Unsubscribe(string nodeId, IThreadObserver observer)
    {
        if (_nodes.Remove(nodeId)) RecountViewers();
        return Task.CompletedTask;
    }

    // Import: source key (the stored clientId of imported comments) -> seq. Read from the log on the
    // first import after activation, so it holds across restarts; null again after a failed write,
    // whose rows may have landed anyway.
    private Task<Dictionary<string, long>>? _importedSeqs;

    public async Task<ImportResult> Import(ImportedComment[] comments)
    {
        EnsureExists();
        if (comments.Length > Limits.MaxPageSize)
            throw ChatException.Invalid($"At most {Limits.MaxPageSize} imported comments per call, got {comments.Length}.");
        var known = await ImportedSeqsAsync();

        // Everything is checked before anything is queued: a bad call stores nothing.
        var inCall = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in comments)
        {
            if (Limits.CheckClientId(c.Key) is { } keyError) throw ChatException.Invalid($"Imported comment key: {keyError}");
            if (!ImportedAuthor.Is(c.Author))
                throw ChatException.Invalid($"Imported comment {c.Key}: author '{c.Author}' is not a display name (name@source).");
            if (Limits.CheckBody(c.Body) is { } bodyError) throw ChatException.Invalid($"Imported comment {c.Key}: {bodyError}");
            if (c.ParentKey is not null && !known.ContainsKey(c.ParentKey) && !inCall.Contains(c.ParentKey))
                throw ChatException.Invalid($"Imported comment {c.Key} replies to {c.ParentKey}, which is neither imported nor earlier in this call.");
            if (!inCall.Add(c.Key)) throw ChatException.Invalid($"Imported comment {c.Key} appears twice.");
        }

        var remaining = comments.Where(c => !known.ContainsKey(c.Key)).ToList();
        var already = comments.Length - remaining.Count;
        var imported = 0;
        // A reply needs its parent's seq, which exists only once the parent is stored: queue in waves
        // of comments whose parents have seqs. Each wave goes through Post, so the same group commit,
        // de-duplication and notification of open pages as any post.
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(c => c.ParentKey is null || known.ContainsKey(c.ParentKey)).ToList();
            if (wave.Count == 0) throw ChatException.Invalid("Imported comments must come after the comment they reply to.");
            var posts = wave.Select(c => Post(new NewComment(c.ParentKey is null ? 0 : known[c.ParentKey], c.Author, c.Body, c.Key, c.CreatedAt))).ToArray();
            long[] seqs;
            try
            {
                seqs = await Task.WhenAll(posts);
            }
            catch
            {
                _importedSeqs = null;
                throw;
            }
            for (var i = 0; i < wave.Count; i++) known[wave[i].Key] = seqs[i];
            imported += wave.Count;
            remaining.RemoveAll(c => known.ContainsKey(c.Key));
        }
        return new ImportResult(imported, already);
    }

    private Task<Dictionary<string, long>> ImportedSeqsAsync()
    {
        if (_importedSeqs is null || _importedSeqs.IsFaulted) _importedSeqs = ReadImportedSeqsAsync();
        return _importedSeqs;
    }

    private async Task<Dictionary<string, long>> ReadImportedSeqsAsync()
    {
        try
        {
            var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
            // Only imported authors' rows: a user may pick any clientId, including "hn-1".
            foreach (var c in await ReadAllAfterAsync(0, CancellationToken.None))
                if (ImportedAuthor.Is(c.Comment.Author)) seqs.TryAdd(c.ClientId, c.Comment.Seq);
            return seqs;
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    /// <summary>
    /// Starts a transaction for queued posts while fewer than MaxFlushesInFlight are in flight, and
    /// the settler that acknowledges them in seq order (if it is not running yet).
    /// </summary>
    private void PumpFlushes()
    {
        DispatchWhilePossible();
        if (_settler.IsCompleted && (_inFlight.Count > 0 || _queue.Count > 0)) _settler = SettleLoopAsync();
    }

    private void DispatchWhilePossible()
    {
        // After a failed write nothing new is numbered until the log has been re-read.
        if (_mustReconcile) return;
        // A second transaction only for a full batch: below that, waiting for the one in flight
        // gathers a bigger batch (group commit), and storage is not the limit anyway.
        while (_queue.Count > 0 && (_inFlight.Count == 0 || (_queue.Count >= Limits.MaxBatchSize && _inFlight.Count < _options.MaxFlushesInFlight)))
        {
            var count = Math.Min(_queue.Count, Limits.MaxBatchSize);
            var posts = _queue.GetRange(0, count);
            _queue.RemoveRange(0, count);
            var firstSeq = (_inFlight.Count > 0 ? _inFlight.Last().Batch[^1].Comment.Seq : _lastSeq) + 1;
            var now = time.GetUtcNow();
            var batch = new List<StoredComment>(count);
            for (var i = 0; i < count; i++)
            {
                var c = posts[i].Comment;
                batch.Add(new StoredComment(new Comment(Id, firstSeq + i, c.ParentSeq, c.Author, c.Body, c.CreatedAt ?? now), c.ClientId));
            }
            _inFlight.Enqueue(new Flush(posts, batch, AppendTimedAsync(batch)));
        }
    }

    private async Task AppendTimedAsync(List<StoredComment> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await log.AppendAsync(Id, batch);
        metrics.RecordFlush(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Settles the writes in flight strictly in seq order: a batch is acknowledged and pushed only
    /// once it and every batch before it are durable, so nobody ever sees seq n+1 while n could still
    /// be missing. A later write may land before an earlier one fails; the re-read after the failure
    /// then finds a hole below it and fills it (see <see cref="ReadTailRepairingHolesAsync"/>).
    /// </summary>
    private async Task SettleLoopAsync()
    {
        while (true)
        {
            if (_mustReconcile)
            {
                if (!await TryReconcileAsync())
                {
                    FailPosts(_queue);
                    _queue.Clear();
                    return;
                }
            }
            // Whatever queued meanwhile (or stayed queued through a failure) goes out now: the
            // loop only ends with nothing queued.
            DispatchWhilePossible();
            if (!_inFlight.TryPeek(out var oldest)) return;
            try
            {
                await oldest.Write;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Flush of {Count} comments in thread {ThreadId} failed: {Message}", oldest.Batch.Count, Id, ex.Message);
                await SettleAfterFailureAsync();
                continue;
            }
            _inFlight.Dequeue();
            Absorb(oldest.Batch);
            Notify(oldest.Batch.Select(c => c.Comment).ToArray());
            NotifyRepliedTo(oldest.Batch);
        }
    }

    /// <summary>
    /// After a failed write. Storage is most likely down, so every post waiting (in flight or queued)
    /// is told at once that it is unavailable, rather than each waiting out its own timeout (a retry
    /// with the same clientId is safe). Then the writes behind the failed one are let finish (landed
    /// or not, and the failed one may have landed too: a timeout is not a "no"); what each tried to
    /// store is kept, since that is what a hole below a landed write is filled with. The settle loop
    /// then re-reads the log before numbering anything new.
    /// </summary>
    private async Task SettleAfterFailureAsync()
    {
        _mustReconcile = true;
        FailPosts(_inFlight.SelectMany(f => f.Posts));
        FailPosts(_queue);
        _queue.Clear();
        while (_inFlight.TryDequeue(out var flush))
        {
            try { await flush.Write; }
            catch (Exception) { /* the re-read decides */ }
            foreach (var c in flush.Batch) _unsettled[c.Comment.Seq] = c;
        }
    }

    /// <summary>Re-reads the log after a failed write. Returns false if storage is still down.</summary>
    private async Task<bool> TryReconcileAsync()
    {
        try
        {
            var landed = await ReadTailRepairingHolesAsync(CancellationToken.None);
            _mustReconcile = false;
            _unsettled.Clear();
            if (landed.Count > 0)
            {
                logger.LogInformation("Thread {ThreadId}: {Count} comments of failed flushes are in the log after all", Id, landed.Count);
                Absorb(landed);
                _queue.RemoveAll(p => p.Completion.Task.IsCompleted);
                Notify(landed.Select(c => c.Comment).ToArray());
                NotifyRepliedTo(landed);
            }
            return true;
        }
        catch (CommentLogUnavailableException)
        {
            return false;
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
        var tail = await ReadAllAfterAsync(_lastSeq, cancellationToken);
        var missing = new List<StoredComment>();
        var expected = _lastSeq + 1;
        foreach (var c in tail)
        {
            for (; expected < c.Comment.Seq; expected++)
                missing.Add(_unsettled.GetValueOrDefault(expected) ?? Placeholder(expected));
            expected = c.Comment.Seq + 1;
        }
        if (missing.Count == 0) return tail;

        logger.LogWarning("Thread {ThreadId}: seqs {First}..{Last} are missing below a stored comment (a failed write under a later one that landed); writing {Count} of them now",
            Id, missing[0].Comment.Seq, missing[^1].Comment.Seq, missing.Count);
        foreach (var chunk in missing.Chunk(Limits.MaxBatchSize))
            await log.AppendAsync(Id, chunk, cancellationToken);
        return [.. tail.Concat(missing).OrderBy(c => c.Comment.Seq)];
    }

    /// <summary>
    /// What fills a seq whose comment is lost for good (unacknowledged, so nobody was told it exists):
    /// deleted, so nobody can vote on, edit or reply to it, and hidden, so pages leave it out.
    /// </summary>
    private StoredComment Placeholder(long seq) =>
        new(new Comment(Id, seq, 0, "", "", time.GetUtcNow(), Deleted: true, Hidden: true), PlaceholderClientIdPrefix + seq.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A placeholder's clientId; its author is empty, which no user has, so it never matches a retry.</summary>
    internal const string PlaceholderClientIdPrefix = "hole:";

    private void FailPosts(IEnumerable<PendingPost> posts)
    {
        var error = ChatException.StorageUnavailable();
        foreach (var p in posts)
        {
            if (_pendingByClientKey.TryGetValue(p.ClientKey, out var current) && ReferenceEquals(current, p))
                _pendingByClientKey.Remove(p.ClientKey);
            p.Completion.TrySetException(error);
        }
    }

    private async Task<List<StoredComment>> ReadAllAfterAsync(long afterSeq, CancellationToken cancellationToken)
    {
        var all = new List<StoredComment>();
        while (true)
        {
            var page = await log.ReadAsync(Id, afterSeq, Limits.MaxPageSize, cancellationToken);
            all.AddRange(page);
            if (page.Count < Limits.MaxPageSize) return all;
            afterSeq = page[^1].Comment.Seq;
        }
    }

    /// <summary>Takes committed comments into memory: last seq, hot window, de-duplication, waiting posters.</summary>
    private void Absorb(IReadOnlyList<StoredComment> committed)
    {
        foreach (var c in committed)
        {
            if (c.Comment.Seq <= _lastSeq) continue;
            _lastSeq = c.Comment.Seq;
            _hot.Add(Public(c.Comment));
            var clientKey = c.Comment.Author + "\n" + c.ClientId;
            if (_seqByClientKey.TryAdd(clientKey, c.Comment.Seq)) _clientKeysByAge.Enqueue(clientKey);
            // Completes the posters of a flushed batch, and after a reconcile also those whose
            // earlier failed write had landed (they may already be queued again as a retry).
            if (_pendingByClientKey.Remove(clientKey, out var pending)) pending.Completion.TrySetResult(c.Comment.Seq);
        }
        if (_hot.Count > 2 * _options.HotWindowSize) _hot.RemoveRange(0, _hot.Count - _options.HotWindowSize);
        while (_clientKeysByAge.Count > _options.RememberedClientIds) _seqByClientKey.Remove(_clientKeysByAge.Dequeue());
        if (committed.Count > 0)
        {
            _stateDirty = _lastSeq != state.State.LastSeq;
            _frontPageDirty = true;
        }
    }

    public async Task<Comment> EditComment(long seq, string author, string body)
    {
        EnsureExists();
        if (Limits.CheckBody(body) is { } bodyError) throw ChatException.Invalid(bodyError);
        return await ChangeAsync(seq, async stored =>
        {
            var c = stored.Comment;
            if (c.Author != author) throw ChatException.Forbidden("Only its author can edit a comment.");
            if (c.Deleted) throw ChatException.Invalid("This comment was deleted.");
            if (c.Hidden) throw ChatException.Forbidden("A moderator hid this comment.");
            var now = time.GetUtcNow();
            if (now - c.CreatedAt > _options.EditWindow)
                throw ChatException.Forbidden($"Comments can only be edited within {FormatWindow(_options.EditWindow)} of posting.");
            var edited = stored with { Comment = c with { Body = body, EditedAt = now } };
            await log.ReplaceAsync(edited);
            return edited.Comment;
        });
    }

    public async Task<Comment> DeleteComment(long seq, string author)
    {
        EnsureExists();
        return await ChangeAsync(seq, async stored =>
        {
            var c = stored.Comment;
            if (c.Author != author) throw ChatException.Forbidden("Only its author can delete a comment.");
            if (c.Deleted) return c;
            // The body is gone for good; the row keeps the author so that a retried post (same
            // author and clientId) is still recognised and not stored again.
            var deleted = stored with { Comment = c with { Body = "", Deleted = true } };
            await log.ReplaceAsync(deleted);
            return deleted.Comment;
        });
    }

    public async Task<long> Vote(long seq, string voter, bool up)
    {
        EnsureExists();
        if (string.IsNullOrEmpty(voter)) throw ChatException.Invalid("A vote needs a voter.");
        if (seq == 0)
        {
            if (voter == state.State.Author) throw ChatException.Forbidden("You cannot vote on your own thread.");
            await _changeGate.WaitAsync();
            try
            {
                var after = _threadPoints + (up ? 1 : -1);
                if (!await ApplyVoteAsync(0, voter, up, after)) return _threadPoints;
                _threadPoints = after;
                _frontPageDirty = true;
                foreach (var node in _nodes.Values) node.Observer.OnThreadPoints(Id, after).Ignore();
                GrainFactory.GetGrain<IUserGrain>(state.State.Author).AddKarma(up ? 1 : -1).Ignore();
                return after;
            }
            finally
            {
                _changeGate.Release();
            }
        }
        var result = await ChangeAsync(seq, async stored =>
        {
            var c = stored.Comment;
            if (c.Author == voter) throw ChatException.Forbidden("You cannot vote on your own comment.");
            if (c.Deleted) throw ChatException.Invalid("This comment was deleted.");
            if (c.Hidden && up) throw ChatException.Forbidden("A moderator hid this comment.");
            var after = c.Points + (up ? 1 : -1);
            if (!await ApplyVoteAsync(seq, voter, up, after)) return null;
            GrainFactory.GetGrain<IUserGrain>(c.Author).AddKarma(up ? 1 : -1).Ignore();
            return c with { Points = after };
        });
        return result.Points;
    }

    public async Task<long[]> GetVotesOf(string voter)
    {
        EnsureExists();
        try
        {
            return [.. await log.ReadVotesOfAsync(Id, voter)];
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    private async Task<bool> ApplyVoteAsync(long seq, string voter, bool up, long pointsAfter)
    {
        try
        {
            return await log.ApplyVoteAsync(Id, seq, voter, up, pointsAfter);
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }

    /// <summary>
    /// Reads comment seq from the log (the truth, also after a write that failed for us but landed),
    /// lets change decide and store its new version (null = nothing changed), then updates the hot
    /// window and pushes the new version to every subscribed node. Returns the comment as it is now.
    /// </summary>
    private async Task<Comment> ChangeAsync(long seq, Func<StoredComment, Task<Comment?>> change)
    {
        if (seq < 1 || seq > _lastSeq) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        await _changeGate.WaitAsync();
        try
        {
            StoredComment stored;
            Comment? changed;
            try
            {
                stored = await log.ReadOneAsync(Id, seq) ?? throw ChatException.NotFound($"There is no comment {seq} in this thread.");
                changed = await change(stored);
            }
            catch (CommentLogUnavailableException)
            {
                throw ChatException.StorageUnavailable();
            }
            if (changed is null) return Public(stored.Comment);
            var shown = Public(changed);
            if (_hot.Count > 0 && seq >= _hot[0].Seq && seq - _hot[0].Seq < _hot.Count) _hot[(int)(seq - _hot[0].Seq)] = shown;
            foreach (var node in _nodes.Values)
            {
                node.Observer.OnUpdates(Id, [shown]).Ignore();
                metrics.ObserverNotificationSent();
            }
            return shown;
        }
        finally
        {
            _changeGate.Release();
        }
    }

    public async Task<ThreadInfo> SetLocked(bool locked, string moderator)
    {
        EnsureExists();
        if (state.State.Locked == locked) return Info();
        state.State.Locked = locked;
        try
        {
            await WriteStateAsync();
        }
        catch (Exception ex)
        {
            state.State.Locked = !locked;
            logger.LogWarning(ex, "Saving the lock of thread {ThreadId} failed", Id);
            throw ChatException.StorageUnavailable();
        }
        logger.LogInformation("Thread {ThreadId} {Action} by moderator {Moderator}", Id, locked ? "locked" : "unlocked", moderator);
        foreach (var node in _nodes.Values) node.Observer.OnThreadLocked(Id, locked).Ignore();
        return Info();
    }

    public async Task<Comment> SetHidden(long seq, bool hidden, string moderator)
    {
        EnsureExists();
        return await ChangeAsync(seq, async stored =>
        {
            if (stored.Comment.Hidden == hidden) return null;
            var changed = stored with { Comment = stored.Comment with { Hidden = hidden } };
            await log.ReplaceAsync(changed);
            logger.LogInformation("Comment {Seq} of thread {ThreadId} {Action} by moderator {Moderator}", seq, Id, hidden ? "hidden" : "shown again", moderator);
            // Off the author's page and the replied-to's inbox too (one-way: display lists must not
            // hold up moderation).
            if (hidden && !stored.Comment.Deleted)
                GrainFactory.GetGrain<IUserGrain>(stored.Comment.Author).ForgetComment(Id, seq, stored.Comment.ParentSeq).Ignore();
            return changed.Comment;
        });
    }

    public Task Typing(string userName, long parentSeq)
    {
        // One-way from a web node that has checked the user; anything odd is dropped, not answered.
        if (!state.State.Exists || state.State.Locked || string.IsNullOrEmpty(userName) || parentSeq < 0 || parentSeq > _lastSeq)
            return Task.CompletedTask;
        var now = time.GetUtcNow();
        if (_typingSentAt.TryGetValue(userName, out var last) && last.ParentSeq == parentSeq && now - last.SentAt < _options.TypingPeriod)
            return Task.CompletedTask;
        _typingSentAt[userName] = (parentSeq, now);
        foreach (var node in _nodes.Values) node.Observer.OnTyping(Id, userName, parentSeq).Ignore();
        return Task.CompletedTask;
    }

    /// <summary>
    /// What readers see: a deleted or hidden comment keeps its place (so that replies stay readable),
    /// but not its author or body.
    /// </summary>
    private static Comment Public(Comment c) => c.Deleted || c.Hidden ? c with { Author = "", Body = "" } : c;

    private static string FormatWindow(TimeSpan window) =>
        window.TotalMinutes >= 1 && window.Seconds == 0 ? $"{(int)window.TotalMinutes} minutes" : $"{(int)window.TotalSeconds} seconds";

    private void Notify(Comment[] batch)
    {
        if (batch.Length == 0) return;
        foreach (var node in _nodes.Values)
        {
            // One-way: returns at once; a dead node costs nothing but its expiry.
            node.Observer.OnComments(Id, batch).Ignore();
            metrics.ObserverNotificationSent();
        }
    }

    /// <summary>
    /// Tells the authors of the comments replied to in a stored batch (one-way, so posting never waits
    /// on it). Parents are nearly always in the hot window; older ones are read from the log in the
    /// background, after the posts were acknowledged.
    /// </summary>
    private void NotifyRepliedTo(IReadOnlyList<StoredComment> stored)
    {
        List<Comment>? olderParents = null;
        foreach (var reply in stored.Select(s => s.Comment))
        {
            if (reply.ParentSeq <= 0) continue;
            var index = _hot.Count > 0 ? reply.ParentSeq - _hot[0].Seq : -1;
            if (index >= 0 && index < _hot.Count) SendReply(_hot[(int)index], reply);
            else (olderParents ??= []).Add(reply);
        }
        if (olderParents is not null) NotifyRepliedToFromLogAsync(olderParents).Ignore();
    }

    private async Task NotifyRepliedToFromLogAsync(List<Comment> replies)
    {
        foreach (var reply in replies)
        {
            try
            {
                if (await log.ReadOneAsync(Id, reply.ParentSeq) is { } parent) SendReply(parent.Comment, reply);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Thread {ThreadId}: reading comment {Seq} to notify its author of a reply failed", Id, reply.ParentSeq);
            }
        }
    }

    /// <summary>
    /// Not for a reply to yourself, nor to a deleted or hidden comment (it shows no author any more),
    /// nor to an imported one: its author is a display name with no account, and an import of a big
    /// discussion must not wake a user grain per reply for nothing.
    /// </summary>
    private void SendReply(Comment parent, Comment reply)
    {
        if (parent.Deleted || parent.Hidden || parent.Author.Length == 0 || parent.Author == reply.Author || ImportedAuthor.Is(parent.Author)) return;
        var item = new InboxItem(Id, state.State.Title, reply.Seq, reply.ParentSeq, reply.Author, InboxItem.SnippetOf(reply.Body), reply.CreatedAt);
        GrainFactory.GetGrain<IUserGrain>(parent.Author).AddReply(item).Ignore();
    }

    private void RecountViewers()
    {
        var viewers = _nodes.Values.Sum(n => n.Viewers);
        if (viewers == _viewers) return;
        _viewers = viewers;
        foreach (var node in _nodes.Values) node.Observer.OnViewers(Id, viewers).Ignore();
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var expired = _nodes.Where(n => n.Value.ExpiresAt < now).Select(n => n.Key).ToList();
        foreach (var nodeId in expired) _nodes.Remove(nodeId);
        if (expired.Count > 0) RecountViewers();

        if (_frontPageDirty && now - _frontPageSentAt >= _options.FrontPageUpdatePeriod) SendFrontPageUpdate();

        var typingNow = time.GetUtcNow();
        foreach (var user in _typingSentAt.Where(t => typingNow - t.Value.SentAt > _options.TypingPeriod).Select(t => t.Key).ToList())
            _typingSentAt.Remove(user);

        if (_stateDirty && !_stateWriteInFlight)
        {
            try { await WriteStateAsync(); }
            catch (Exception ex) { logger.LogWarning(ex, "Saving thread {ThreadId} state failed; will retry", Id); }
        }
    }

    private void SendFrontPageUpdate()
    {
        _frontPageDirty = false;
        _frontPageSentAt = DateTimeOffset.UtcNow;
        GrainFactory.GetGrain<IFrontPageGrain>(0).Update(Summary()).Ignore();
    }

    /// <summary>At most one state write in flight: reentrancy would otherwise let two race on the ETag.</summary>
    private async Task WriteStateAsync()
    {
        await _stateGate.WaitAsync();
        _stateWriteInFlight = true;
        try
        {
            var saving = _lastSeq;
            state.State.LastSeq = saving;
            await state.WriteStateAsync();
            _stateDirty = _lastSeq != saving;
        }
        finally
        {
            _stateWriteInFlight = false;
            _stateGate.Release();
        }
    }

    private void EnsureExists()
    {
        if (!state.State.Exists) throw ChatException.NotFound($"Thread {Id} does not exist.");
    }

    private ThreadInfo Info() => new(Id, state.State.Title, state.State.Url, state.State.Body, state.State.Author, state.State.CreatedAt, _lastSeq, _lastSeq, _threadPoints, state.State.Locked);

    private ThreadSummary Summary() => new(Id, state.State.Title, state.State.Url, state.State.Author, state.State.CreatedAt, _lastSeq, _threadPoints);

    private sealed record PendingPost(NewComment Comment, string ClientKey)
    {
        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One table transaction: the posts it acknowledges, the rows it writes, the write itself.</summary>
    private sealed record Flush(List<PendingPost> Posts, List<StoredComment> Batch, Task Write);

    private sealed record NodeSubscription(IThreadObserver Observer, int Viewers, DateTimeOffset ExpiresAt);
}
