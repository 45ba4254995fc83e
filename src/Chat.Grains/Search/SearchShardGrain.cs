using Chat.Contracts.Search;
using Chat.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Chat.Grains.Search;

/// <summary>
/// One index shard. Thread grains tell it of every settled batch (<see cref="Settled"/>); it indexes
/// what follows its per-thread watermark and reads the comment log for any gap. Its sweep checks
/// every registered thread against the log in turn, so a lost notification or a thread whose silo
/// died after acknowledging delays a comment by at most a sweep round, never drops it. Edits, deletes
/// and hides come as <see cref="Changed"/>; answers are checked against the log again anyway.
/// </summary>
/// <remarks>
/// Not reentrant: the index is written one turn at a time. The index is committed on a timer and on
/// deactivation; what was not committed is replayed from the log after a crash (the watermarks are
/// committed with the documents, so they agree).
/// </remarks>
public sealed class SearchShardGrain(
    [PersistentState("searchShard", ChatStorage.GrainStorageName)] IPersistentState<SearchShardState> state,
    ISearchEngine engine,
    ICommentLog log,
    IOptions<SearchOptions> options,
    IOptions<ThreadGrainOptions> threadOptions,
    IOptions<ClusterOptions> cluster,
    ILocalSiloDetails silo,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    SearchMetrics metrics,
    ILogger<SearchShardGrain> logger) : Grain, ISearchShardGrain
{
    private const int ReadBatch = Limits.MaxBatchSize;

    /// <summary>
    /// A comment indexed later than this after its creation is not pushed to standing queries: it
    /// is a replay (a restored copy catching up, a rebuild), not news to a page left open.
    /// </summary>
    public static readonly TimeSpan StandingFreshness = TimeSpan.FromMinutes(2);

    private readonly StandingQueryNodes _standing = new(time, threadOptions.Value.SubscriptionExpiry);
    // A rebuild reads whole threads: the largest page a table query returns.
    private const int RebuildPage = 1000;
    private ISearchIndex _index = null!;
    private readonly Dictionary<string, string> _titles = new(StringComparer.Ordinal);
    // Threads known to have comments past their watermark: caught up first at the next sweep.
    private readonly Dictionary<string, long> _lagging = new(StringComparer.Ordinal);
    private List<string> _sweepOrder = [];
    private int _sweepNext;
    private bool _dirty;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state.State.Epoch++;
        await state.WriteStateAsync(cancellationToken);
        // Local files per silo (two silos on one machine must not share a folder); the copy per service.
        _index = await engine.OpenAsync(Shard, $"{cluster.Value.ServiceId}-{cluster.Value.ClusterId}-{silo.Name}", cluster.Value.ServiceId, cancellationToken);
        var o = options.Value;
        metrics.ShardActive(Shard, () => (_index.DocumentCount, _lagging.Sum(l => Math.Max(0, l.Value - Watermark(l.Key))), _standing.Queries));
        // Interleaved: a sweep reads the log for a few hundred threads one after another, which takes
        // tens of seconds on a saturated storage; the threads' batches and the queries must not wait
        // behind it (their calls would time out and be sent again). Indexing is idempotent and a
        // watermark only moves up, so a batch and a catch-up of the same thread may meet.
        this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(o.SweepPeriod, o.SweepPeriod) { Interleave = true });
        this.RegisterGrainTimer(CommitIfChanged, new GrainTimerCreationOptions(o.CommitPeriod, o.CommitPeriod));
        logger.LogInformation("Search shard {Shard} active: {Threads} threads, {Documents} documents in its index (copy of epoch {Opened}; this is {Epoch})",
            Shard, state.State.Threads.Count, _index.DocumentCount, _index.OpenedEpoch, state.State.Epoch);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.ShardInactive(Shard);
        try
        {
            if (_dirty) await _index.CommitAsync(state.State.Epoch, cancellationToken);
        }
        catch (Exception ex)
        {
            // Nothing is lost: the next activation replays the log past the last copy's watermarks.
            logger.LogWarning(ex, "Search shard {Shard}: the last commit on deactivation failed", Shard);
        }
        finally
        {
            _index.Dispose();
        }
    }

    public async Task<long> Settled(SearchThread thread, long lastSeq, Comment[] comments)
    {
        _titles[thread.ThreadId] = thread.Title;
        if (state.State.Threads.Add(thread.ThreadId))
        {
            _sweepOrder.Add(thread.ThreadId);
            await state.WriteStateAsync();
        }
        var mark = Watermark(thread.ThreadId);
        if (mark < 0) mark = IndexThread(SearchDocument.Of(thread));
        if (comments.Length > 0 && comments[0].Seq <= mark + 1)
        {
            var fresh = comments.Where(c => c.Seq > mark).ToList();
            foreach (var c in fresh) IndexNew(c, thread.Title);
            Announce(fresh, thread.Title);
            if (fresh.Count > 0) metrics.Indexed(fresh.Count, caughtUp: false, time.GetUtcNow() - fresh[^1].CreatedAt);
            mark = Math.Max(mark, comments[^1].Seq);
            _index.SetWatermark(thread.ThreadId, mark);
            _dirty = true;
        }
        if (mark < lastSeq) mark = await CatchUpAsync(thread.ThreadId, lastSeq);
        return mark;
    }

    public Task Changed(Comment comment)
    {
        // A comment past the watermark is indexed, as it is then, when the watermark reaches it.
        if (comment.Seq <= 0 || comment.Seq > Watermark(comment.ThreadId)) return Task.CompletedTask;
        if (!SearchDocument.Shown(comment))
        {
            _index.Remove(comment.ThreadId, comment.Seq);
            // It may have been pushed to open search pages when it was new: they take it off.
            foreach (var observer in _standing.Observers()) observer.OnSearchWithdrawn(comment.ThreadId, comment.Seq).Ignore();
        }
        else if (TitleFromMemory(comment.ThreadId) is { } title) _index.Upsert(SearchDocument.Of(comment, title), checkVersion: true);
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task<ShardHits> Query(SearchQuery query, string sort, int depth) =>
        Task.FromResult(_index.Search(query, sort, Math.Clamp(depth, 1, SearchRequest.MaxDepth), time.GetUtcNow()));

    public Task<long> GetWatermark(string threadId) => Task.FromResult(Watermark(threadId));

    public Task Watch(string nodeId, IStandingQueryObserver observer, StandingQuery[] queries, bool replace)
    {
        _standing.Watch(nodeId, observer, queries, replace);
        return Task.CompletedTask;
    }

    public async Task<long> Rebuild(SearchThread[] threads)
    {
        long read = 0;
        var registered = false;
        foreach (var thread in threads)
        {
            if (SearchShards.Of(thread.ThreadId, options.Value.Shards) != Shard) continue;
            registered |= state.State.Threads.Add(thread.ThreadId);
            _titles[thread.ThreadId] = thread.Title;
            _index.Upsert(SearchDocument.Of(thread), checkVersion: false);
            // Read in this turn, so no edit, delete or hide told to this shard meanwhile is overwritten
            // by an older reading; whatever is told after the turn is applied after it.
            long last = 0, after = 0;
            while (true)
            {
                var page = await log.ReadAsync(thread.ThreadId, after, RebuildPage);
                foreach (var stored in page) IndexNew(stored.Comment, thread.Title);
                read += page.Count;
                if (page.Count > 0) last = after = page[^1].Comment.Seq;
                if (page.Count < RebuildPage) break;
            }
            var mark = Math.Max(Watermark(thread.ThreadId), last);
            _index.SetWatermark(thread.ThreadId, mark);
            if (_lagging.TryGetValue(thread.ThreadId, out var known) && known <= mark) _lagging.Remove(thread.ThreadId);
            _dirty = true;
        }
        if (registered) await state.WriteStateAsync();
        metrics.Indexed((int)Math.Min(int.MaxValue, read), caughtUp: true, lag: null);
        return read;
    }

    public Task<string[]> GetThreads() => Task.FromResult(state.State.Threads.ToArray());

    public async Task FinishRebuild()
    {
        var strangers = _index.Watermarks.Keys.Concat(state.State.Threads)
            .Where(t => SearchShards.Of(t, options.Value.Shards) != Shard).Distinct().ToList();
        foreach (var threadId in strangers)
        {
            _index.RemoveThread(threadId);
            _titles.Remove(threadId);
            _lagging.Remove(threadId);
            state.State.Threads.Remove(threadId);
        }
        if (strangers.Count > 0)
        {
            _sweepOrder = [.. state.State.Threads];
            await state.WriteStateAsync();
        }
        logger.LogInformation("Search shard {Shard}: rebuilt; {Strangers} threads of other shards dropped", Shard, strangers.Count);
        await _index.CommitAsync(state.State.Epoch);
        _dirty = false;
    }

    private long Watermark(string threadId) => _index.Watermarks.TryGetValue(threadId, out var mark) ? mark : -1;

    private long IndexThread(SearchDocument thread)
    {
        _index.Upsert(thread, checkVersion: false);
        AnnounceAll([thread]);
        _index.SetWatermark(thread.ThreadId, 0);
        _dirty = true;
        return 0;
    }

    private void IndexNew(Comment c, string title)
    {
        if (SearchDocument.Shown(c)) _index.Upsert(SearchDocument.Of(c, title), checkVersion: false);
        else _index.Remove(c.ThreadId, c.Seq);
    }

    /// <summary>Reads the log past the thread's watermark and indexes what it finds; returns the new watermark.</summary>
    private async Task<long> CatchUpAsync(string threadId, long knownLastSeq)
    {
        var mark = Watermark(threadId);
        if (mark < 0)
        {
            // The thread itself was never indexed here (a restore, or a registration lost): ask it.
            var info = await GrainFactory.GetGrain<IThreadGrain>(threadId).GetInfo();
            _titles[threadId] = info.Title;
            mark = IndexThread(new SearchDocument(threadId, 0, info.Title, info.Body ?? "", info.Author, info.CreatedAt, info.Points, info.CreatedAt.UtcTicks));
        }
        var title = TitleFromMemory(threadId) ?? (await GrainFactory.GetGrain<IThreadGrain>(threadId).GetInfo()).Title;
        _titles[threadId] = title;
        while (true)
        {
            var page = await log.ReadAsync(threadId, mark, ReadBatch);
            foreach (var stored in page) IndexNew(stored.Comment, title);
            Announce([.. page.Select(p => p.Comment)], title);
            if (page.Count > 0)
            {
                metrics.Indexed(page.Count, caughtUp: true, time.GetUtcNow() - page[^1].Comment.CreatedAt);
                // A batch that came in while this page was read may have moved it further.
                mark = Math.Max(page[^1].Comment.Seq, Watermark(threadId));
                _index.SetWatermark(threadId, mark);
                _dirty = true;
            }
            if (page.Count < ReadBatch) break;
        }
        if (mark >= knownLastSeq) _lagging.Remove(threadId);
        else _lagging[threadId] = knownLastSeq;
        return mark;
    }

    /// <summary>New comments just indexed: the shown and fresh ones are matched against the standing queries.</summary>
    private void Announce(IReadOnlyList<Comment> comments, string title)
    {
        if (_standing.Queries == 0 || comments.Count == 0) return;
        AnnounceAll([.. comments.Where(SearchDocument.Shown).Select(c => SearchDocument.Of(c, title))]);
    }

    /// <summary>One message per node for the whole batch, each match a hit as /api/search shows it.</summary>
    private void AnnounceAll(IReadOnlyList<SearchDocument> documents)
    {
        if (_standing.Queries == 0) return;
        var now = time.GetUtcNow();
        var byNode = new Dictionary<IStandingQueryObserver, List<StandingMatch>>();
        foreach (var doc in documents)
        {
            if (now - doc.CreatedAt > StandingFreshness) continue;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var hits = new Dictionary<string, StandingMatch>(StringComparer.Ordinal);
            foreach (var (observer, matches) in _standing.Match(doc))
            {
                if (!byNode.TryGetValue(observer, out var list)) byNode[observer] = list = [];
                foreach (var (key, query) in matches)
                {
                    if (!hits.TryGetValue(key, out var match))
                    {
                        var snippet = engine.Snippet(query, doc.Text.Length > 0 ? doc.Text : doc.ThreadTitle);
                        hits[key] = match = new StandingMatch(key, new SearchHit(doc.ThreadId, doc.ThreadTitle, doc.Seq, doc.Author, doc.CreatedAt, snippet, doc.Points));
                    }
                    list.Add(match);
                }
            }
            metrics.StandingMatched(System.Diagnostics.Stopwatch.GetElapsedTime(started), _standing.Queries);
        }
        foreach (var (observer, matches) in byNode) observer.OnSearchMatches([.. matches]).Ignore();
    }

    private string? TitleFromMemory(string threadId)
    {
        if (_titles.TryGetValue(threadId, out var title)) return title;
        if (_index.TitleOf(threadId) is { } indexed) return _titles[threadId] = indexed;
        return null;
    }

    /// <summary>The threads known to lag first, then the next SweepBatch of all threads, round robin.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        _standing.Expire();
        if (_sweepOrder.Count != state.State.Threads.Count) (_sweepOrder, _sweepNext) = ([.. state.State.Threads], 0);
        var due = _lagging.Keys.ToList();
        for (var i = 0; i < Math.Min(options.Value.SweepBatch, _sweepOrder.Count); i++)
            due.Add(_sweepOrder[(_sweepNext + i) % _sweepOrder.Count]);
        _sweepNext = _sweepOrder.Count == 0 ? 0 : (_sweepNext + options.Value.SweepBatch) % _sweepOrder.Count;
        foreach (var threadId in due.Distinct())
        {
            if (cancellationToken.IsCancellationRequested) break;
            try
            {
                await CatchUpAsync(threadId, _lagging.GetValueOrDefault(threadId));
            }
            catch (Exception ex) when (ex is CommentLogUnavailableException or ChatException or TimeoutException or OrleansException)
            {
                logger.LogWarning(ex, "Search shard {Shard}: catching up thread {ThreadId} failed; the next sweep tries again", Shard, threadId);
            }
        }
    }

    private async Task CommitIfChanged(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        _dirty = false;
        try
        {
            await _index.CommitAsync(state.State.Epoch, cancellationToken);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or OperationCanceledException)
        {
            _dirty = true;
            logger.LogWarning(ex, "Search shard {Shard}: committing or copying the index failed; the next period tries again", Shard);
        }
    }
}
