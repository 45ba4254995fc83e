using Chat.Contracts.Search;
using Chat.Grains.Search;
using Chat.Grains.Storage;
using Chat.Grains.Threads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Chat.Grains;

/// <summary>
/// A discussion thread. The grain checks that the thread exists and what its state allows, and hands
/// each job to its collaborator (in Threads/): <see cref="CommitPipeline"/> numbers and stores posts
/// (group commit; acknowledged = durable, in seq order), <see cref="RecentComments"/> remembers the
/// hot window, retried clientIds and the counts, <see cref="CommentChanges"/> edits, deletes, votes
/// and hides, <see cref="ThreadImport"/> imports, <see cref="ReplyNotifier"/> fills inboxes,
/// <see cref="TypingThrottle"/> thins typing signals, <see cref="CommentPages"/> and
/// <see cref="OrderedComments"/> serve pages in seq and in top/new order, and <see cref="FrontPageRow"/>
/// keeps the thread's row on the front page. Each settled batch goes once to every subscribed web
/// node (<see cref="ThreadNodes"/>).
/// </summary>
/// <remarks>
/// Reentrant so that posts can queue while a flush is awaiting storage; all state changes happen in
/// synchronous stretches between awaits, on the grain's single-threaded scheduler.
/// Random placement: the default (resource-optimised, preferring the caller's silo) would put every
/// thread a user starts on that user's silo; threads are the unit of load, so spread them evenly,
/// including onto a silo that just joined.
/// A migration participant: when it moves (its silo stopping gracefully, <see cref="ShutdownMigration"/>)
/// its memory goes with it (<see cref="ThreadHandover"/>) and the next activation reads nothing.
/// </remarks>
[Reentrant]
[RandomPlacement]
public sealed class ThreadGrain : Grain, IThreadGrain, IGrainMigrationParticipant
{
    private readonly IPersistentState<ThreadState> _state;
    private readonly ICommentLog _log;
    private readonly ThreadGrainOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ThreadGrain> _logger;
    private readonly string _id;
    private readonly RecentComments _recent;
    private readonly CommitPipeline _pipeline;
    private readonly CommentChanges _changes;
    private readonly ThreadNodes _nodes;
    private readonly ReplyNotifier _replies;
    private readonly TypingThrottle _typing;
    private readonly ThreadImport _import;
    private readonly FrontPageRow _frontPage;
    private readonly OrderedComments _ordered;
    private readonly CommentPages _pages;
    private readonly SearchFeed _search;
    private readonly IClusterMembershipService _membership;
    private readonly SiloAddress _silo;
    private readonly ChatMetrics _metrics;
    // Set when this activation took over a migrating one's memory: then it reads nothing on activation.
    private bool _handedOver;

    private readonly LazyGrainState<ThreadState> _saved;
    // The creation's state write: a retry of the same creation that arrives meanwhile waits for it.
    private Task _creation = Task.CompletedTask;

    public ThreadGrain(
        [PersistentState("thread", ChatStorage.GrainStorageName)] IPersistentState<ThreadState> state,
        [PersistentState(SubscribedNodesState.Name, ChatStorage.GrainStorageName)] IPersistentState<SubscribedNodesState> nodes,
        ICommentLog log,
        IOptions<ThreadGrainOptions> options,
        IOptions<SearchOptions> search,
        ChatMetrics metrics,
        [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
        IGrainFactory grains,
        IClusterMembershipService membership,
        ILocalSiloDetails silo,
        ILogger<ThreadGrain> logger)
    {
        (_state, _log, _options, _time, _logger) = (state, log, options.Value, time, logger);
        (_membership, _silo, _metrics) = (membership, silo.SiloAddress, metrics);
        _id = this.GetPrimaryKeyString();
        _recent = new RecentComments(_options.HotWindowSize, _options.RememberedClientIds);
        // Saved by the housekeeping timer, on deactivation, at creation and by a lock or unlock.
        _saved = new LazyGrainState<ThreadState>(state, "thread " + _id, logger, () => state.State.LastSeq = _recent.LastSeq);
        _pipeline = new CommitPipeline(_id, log, _recent, _options.MaxFlushesInFlight, OnSettled, metrics, time, logger);
        _changes = new CommentChanges(_id, log, _recent, grains, time, _options.EditWindow, OnChanged, logger);
        _nodes = new ThreadNodes(_id, nodes, grains, time, _options.SubscriptionExpiry, metrics, logger);
        _replies = new ReplyNotifier(_id, _recent, log, grains, logger);
        _typing = new TypingThrottle(time, _options.TypingPeriod);
        _import = new ThreadImport(_id, log, Post);
        _frontPage = new FrontPageRow(_id, state, _saved, grains, time, _options.FrontPageUpdatePeriod, Summary, logger);
        _ordered = new OrderedComments(_id, log, _recent, time);
        _pages = new CommentPages(_id, log, _recent);
        _search = new SearchFeed(_id, grains, search.Value.Shards, SearchThread, logger);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Exists && !_handedOver)
        {
            // Grain state's LastSeq may lag the log; the log is the truth. Read from a little before
            // it so that the hot window and the recent clientIds (for de-duplication of retries after
            // a crash) are warm.
            _recent.StartAfter(Math.Max(0, _state.State.LastSeq - _options.HotWindowSize));
            if (await _pipeline.RecoverAsync(cancellationToken) > 0) MarkCommitted();
            // Counted from the log, not kept in grain state: a delete or hide is a row write, and a
            // count saved beside it (lazily, in another table) could miss it in a crash.
            _recent.SetGoneCount(await _log.CountGoneAsync(_id, cancellationToken));
            _changes.ThreadPoints = await _log.ReadThreadPointsAsync(_id, cancellationToken);
        }
        // Last: a node that subscribes again at once finds the thread recovered.
        _nodes.Restore();
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(_options.HousekeepingPeriod, _options.HousekeepingPeriod) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && _options.MigrateOnShutdown && _state.State.Exists
            && ShutdownMigration.PickTarget(_membership, _silo) is { } target)
        {
            _logger.LogDebug("Thread {ThreadId} moves to {Silo}: this silo is stopping", _id, target);
            ShutdownMigration.Start(GrainContext, target);
        }
        // A failure loses nothing: the log holds every comment, and activation reads it forward.
        await _saved.SaveIfDirtyAsync();
        await _nodes.SaveAsync();
        _frontPage.SendIfChangedAndListed();
    }

    public void OnDehydrate(IDehydrationContext context)
    {
        // Memory in doubt (a write in flight or failed) is not handed over: the next activation reads the log.
        if (!_state.State.Exists || !_pipeline.Idle) return;
        var (hot, clientKeys, clientSeqs) = _recent.Snapshot();
        context.TryAddValue(ThreadHandover.Key, new ThreadHandover(_recent.LastSeq, _recent.GoneCount, _changes.ThreadPoints, hot, clientKeys, clientSeqs));
    }

    public void OnRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue(ThreadHandover.Key, out ThreadHandover? handover) || handover is null) return;
        _recent.Restore(handover);
        _changes.ThreadPoints = handover.ThreadPoints;
        _handedOver = true;
        _metrics.ThreadHandedOver();
    }

    public async Task<ThreadInfo> Create(NewThread thread)
    {
        if (Limits.CheckTitle(thread.Title) is { } titleError) throw ChatException.Invalid(titleError);
        if (Limits.CheckUrl(thread.Url) is { } urlError) throw ChatException.Invalid(urlError);
        if (thread.Body is { Length: > Limits.BodyMaxLength }) throw ChatException.Invalid(Limits.CheckBody(thread.Body)!);
        if (thread.ClientId is not null && Limits.CheckClientId(thread.ClientId) is { } clientIdError) throw ChatException.Invalid(clientIdError);
        if (!_state.State.Exists) _creation = StoreNewAsync(thread);
        // Only a retry of this very creation (same author, same key) gets the thread again.
        else if (thread.ClientId is null || thread.ClientId != _state.State.CreationKey || thread.Author != _state.State.Author)
            throw ChatException.Conflict($"Thread {_id} exists already.");
        await _creation;
        await _search.RegisterAsync();
        // Awaited, so that the creator finds the thread on the front page when they look.
        await _frontPage.ListIfPendingAsync();
        return Info();
    }

    private async Task StoreNewAsync(NewThread thread)
    {
        var s = _state.State;
        (s.Exists, s.Title, s.Url, s.Body, s.Author, s.CreatedAt) =
            (true, thread.Title.Trim(), string.IsNullOrWhiteSpace(thread.Url) ? null : thread.Url.Trim(), string.IsNullOrWhiteSpace(thread.Body) ? null : thread.Body, thread.Author, _time.GetUtcNow());
        (s.CreationKey, s.FrontPageRowPending) = (thread.ClientId, true);
        try
        {
            await _saved.WriteAsync();
        }
        catch
        {
            s.Exists = false;
            throw;
        }
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
        if (comment.ParentSeq < 0 || comment.ParentSeq > _recent.LastSeq)
            throw ChatException.Invalid($"There is no comment {comment.ParentSeq} in this thread to reply to.");

        // The same author's clientId names one post: a retry gets the first post's seq.
        var clientKey = RecentComments.ClientKey(comment.Author, comment.ClientId);
        if (_pipeline.TryGetKnown(clientKey, out var seq)) return seq;
        // After the retry checks: a post acknowledged before the lock still gets its seq when retried.
        if (_state.State.Locked) throw ChatException.Forbidden("This thread is locked: it takes no new comments.");
        return _pipeline.Submit(comment, clientKey);
    }

    public Task<CommentPage> GetComments(long afterSeq, int limit)
    {
        EnsureExists();
        return _pages.PageAsync(afterSeq, limit);
    }

    public Task<OrderedPage> GetOrderedComments(string order, long[]? roots, int limit)
    {
        EnsureExists();
        return _ordered.PageAsync(order, roots, limit);
    }

    public Task<Subscription> Subscribe(string nodeId, IThreadObserver observer, int viewers)
    {
        EnsureExists();
        _nodes.Subscribe(nodeId, observer, viewers);
        return Task.FromResult(new Subscription(_recent.LastSeq, _nodes.Viewers));
    }

    public Task Unsubscribe(string nodeId, IThreadObserver observer)
    {
        _nodes.Unsubscribe(nodeId);
        return Task.CompletedTask;
    }

    public Task<ImportResult> Import(ImportedComment[] comments)
    {
        EnsureExists();
        return _import.ImportAsync(comments);
    }

    public Task<Comment> EditComment(long seq, string author, string body)
    {
        EnsureExists();
        if (Limits.CheckBody(body) is { } bodyError) throw ChatException.Invalid(bodyError);
        return _changes.EditAsync(seq, author, body);
    }

    public Task<CommentVersion[]> GetHistory(long seq, bool moderator)
    {
        EnsureExists();
        return _changes.HistoryAsync(seq, moderator);
    }

    public Task<Comment> DeleteComment(long seq, string author)
    {
        EnsureExists();
        return _changes.DeleteAsync(seq, author);
    }

    public async Task<long> Vote(long seq, string voter, bool up)
    {
        EnsureExists();
        if (string.IsNullOrEmpty(voter)) throw ChatException.Invalid("A vote needs a voter.");
        if (seq != 0) return (await _changes.VoteAsync(seq, voter, up)).Points;
        return await _changes.VoteOnThreadAsync(voter, up, _state.State.Author, points =>
        {
            _frontPage.Changed();
            _nodes.ThreadPoints(points);
        });
    }

    public Task<long[]> GetVotesOf(string voter)
    {
        EnsureExists();
        return _changes.VotesOfAsync(voter);
    }

    public async Task<ThreadInfo> SetLocked(bool locked, string moderator)
    {
        EnsureExists();
        if (_state.State.Locked == locked) return Info();
        _state.State.Locked = locked;
        try
        {
            await _saved.WriteAsync();
        }
        catch (Exception ex)
        {
            _state.State.Locked = !locked;
            _logger.LogWarning(ex, "Saving the lock of thread {ThreadId} failed", _id);
            throw ChatException.StorageUnavailable();
        }
        _logger.LogInformation("Thread {ThreadId} {Action} by moderator {Moderator}", _id, locked ? "locked" : "unlocked", moderator);
        _nodes.Locked(locked);
        return Info();
    }

    public Task<Comment> SetHidden(long seq, bool hidden, string moderator)
    {
        EnsureExists();
        return _changes.SetHiddenAsync(seq, hidden, moderator);
    }

    public Task Typing(string userName, long parentSeq)
    {
        // One-way from a web node that has checked the user; anything odd is dropped, not answered.
        if (!_state.State.Exists || _state.State.Locked || string.IsNullOrEmpty(userName) || parentSeq < 0 || parentSeq > _recent.LastSeq)
            return Task.CompletedTask;
        if (_typing.TryPass(userName, parentSeq)) _nodes.Typing(userName, parentSeq);
        return Task.CompletedTask;
    }

    /// <summary>A batch settled (acknowledged in seq order): to every node once, and to the inboxes of those replied to.</summary>
    private void OnSettled(IReadOnlyList<StoredComment> batch)
    {
        _nodes.Comments(batch);
        _replies.NotifyRepliedTo(batch, _state.State.Title);
        _ordered.Settled(batch);
        _search.Settled(batch, _recent.LastSeq);
        MarkCommitted();
    }

    /// <summary>A stored comment changed: its new version to every node; a changed count to the front page.</summary>
    private void OnChanged(Comment shown, bool countChanged)
    {
        _ordered.Changed(shown);
        _nodes.Updated(shown);
        _search.Changed(shown);
        if (countChanged) _frontPage.Changed();
    }

    private void MarkCommitted()
    {
        if (_recent.LastSeq != _state.State.LastSeq) _saved.MarkDirty();
        _frontPage.Changed();
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _nodes.RemoveExpired();
        _typing.ForgetQuiet();
        _ordered.DropIfIdle();
        if (_state.State.Exists) _search.Housekeep(_recent.LastSeq);
        await _frontPage.HousekeepAsync();
        await _saved.SaveIfDirtyAsync();
    }

    private void EnsureExists() => _ = _state.State.Exists ? 0 : throw ChatException.NotFound($"Thread {_id} does not exist.");

    private ThreadInfo Info() => new(_id, _state.State.Title, _state.State.Url, _state.State.Body, _state.State.Author, _state.State.CreatedAt,
        _recent.VisibleCount, _recent.LastSeq, _changes.ThreadPoints, _state.State.Locked);

    private SearchThread SearchThread() =>
        new(_id, _state.State.Title, _state.State.Body, _state.State.Author, _state.State.CreatedAt, _changes.ThreadPoints);

    private ThreadSummary Summary() =>
        new(_id, _state.State.Title, _state.State.Url, _state.State.Author, _state.State.CreatedAt, _recent.VisibleCount, _changes.ThreadPoints, _recent.LastSeq);
}
