using Chat.Web.Hosting;

namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of the fan-out: one observer per node, subscribed to each thread that has a
/// local reader. Each batch a thread grain sends arrives here once and goes to the local SignalR
/// group, in seq order, with any gap filled from the grain first, so a reader never sees a comment
/// twice or out of order because of how batches travelled.
/// </summary>
public sealed class ThreadRelay : NodeRelay<IThreadObserver>, IThreadObserver
{
    private readonly WebMetrics _metrics;
    private readonly PostStages _stages;
    private readonly Dictionary<string, LocalThread> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadsByConnection = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ThreadRelay(RelayServices services, WebMetrics metrics, PostStages stages, ILogger<ThreadRelay> logger)
        : base(services, logger, "thread relay")
    {
        _metrics = metrics;
        _stages = stages;
        Groups = new ThreadGroups(Options.SubGroups);
        metrics.ObserveSubscribedThreads(() => { lock (_lock) return _threads.Count; });
    }

    /// <summary>The SignalR groups of each thread's readers here; the hub adds a reader to <see cref="ThreadGroups.Of"/>.</summary>
    public ThreadGroups Groups { get; }

    private IThreadGrain Grain(string threadId) => Grains.GetGrain<IThreadGrain>(threadId);

    private LocalThread? Find(string threadId)
    {
        lock (_lock) return _threads.GetValueOrDefault(threadId);
    }

    /// <summary>Adds a local reader; subscribes this node to the thread if it is the first. Returns the viewer count.</summary>
    public async Task<int> JoinAsync(string threadId, string connectionId)
    {
        LocalThread thread;
        bool first;
        lock (_lock)
        {
            if (!_threadsByConnection.TryGetValue(connectionId, out var joined)) _threadsByConnection[connectionId] = joined = [];
            joined.Add(threadId);
            first = !_threads.TryGetValue(threadId, out thread!);
            if (first) _threads[threadId] = thread = new LocalThread(threadId);
            thread.Connections.Add(connectionId);
        }
        if (first || !thread.Subscribed) await SubscribeAsync(thread);
        else ScheduleViewerReport(thread);
        return thread.Viewers;
    }

    public Task LeaveAsync(string threadId, string connectionId)
    {
        lock (_lock)
        {
            if (_threadsByConnection.TryGetValue(connectionId, out var joined)) joined.Remove(threadId);
        }
        return RemoveReaderAsync(threadId, connectionId);
    }

    public async Task LeaveAllAsync(string connectionId)
    {
        HashSet<string>? joined;
        lock (_lock) _threadsByConnection.Remove(connectionId, out joined);
        foreach (var threadId in joined ?? []) await RemoveReaderAsync(threadId, connectionId);
    }

    public Task OnComments(string threadId, Comment[] batch)
    {
        if (Find(threadId) is not { } thread || batch.Length == 0) return Task.CompletedTask;
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = DateTimeOffset.UtcNow;
        foreach (var c in batch) _stages.RecordNumberedToRelay(c.CreatedAt, now);
        // Batches can arrive concurrently and out of order; they are delivered one group send at a
        // time per thread. Fewer, fuller frames: whatever is pending goes to the group as one
        // message, which costs the node one serialisation and one write per connection instead of
        // several. With a window (the default, 10 ms), the first batch waits it out (counted from its
        // arrival, or from the thread's last send: RelayOptions.CoalesceFrom) and everything
        // that arrived by then goes together; adaptive (window 0): a batch goes out at once when no
        // send of the thread is in progress, and what arrives during one waits for it to end.
        bool start;
        lock (thread.Pending)
        {
            foreach (var c in batch) thread.Pending.Add((c, arrived));
            start = !thread.Delivering;
            thread.Delivering = true;
        }
        if (start) _ = DeliverWhilePendingAsync(thread);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Sends what is pending, then again while more arrived meanwhile; one such loop per thread at a
    /// time (<see cref="LocalThread.Delivering"/>), so the comments that arrive during a send are
    /// the next send's batch.
    /// </summary>
    private async Task DeliverWhilePendingAsync(LocalThread thread)
    {
        try
        {
            var wait = Options.CoalesceFrom == CoalesceFrom.LastSend
                ? Options.CoalesceWindow - System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref thread.LastSendAt))
                : Options.CoalesceWindow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            while (true)
            {
                await thread.Serialize(() => DeliverPendingAsync(thread));
                lock (thread.Pending)
                {
                    if (thread.Pending.Count > 0) continue;
                    thread.Delivering = false;
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Delivering comments of thread {ThreadId} failed", thread.ThreadId);
            // The next batch starts a new loop, and fills from the grain whatever this one dropped.
            lock (thread.Pending) thread.Delivering = false;
        }
    }

    /// <summary>
    /// What waits in the coalescing window goes out now, in seq order. Anything else sent to the
    /// thread's group (changes, a lock) calls this first, inside the per-thread queue, so that it
    /// never overtakes a comment that arrived before it.
    /// </summary>
    private Task DeliverPendingAsync(LocalThread thread)
    {
        Comment[] pending;
        lock (thread.Pending)
        {
            if (thread.Pending.Count == 0) return Task.CompletedTask;
            foreach (var (_, arrived) in thread.Pending) _stages.Since(PostStages.Coalesce, arrived);
            pending = [.. thread.Pending.Select(p => p.Comment).OrderBy(c => c.Seq)];
            thread.Pending.Clear();
        }
        return DeliverAsync(thread, pending);
    }

    /// <summary>
    /// Changed comments (edits, deletes, points) go out as their own message: readers skip a seq they
    /// already hold in <c>Comments</c>. Through the same per-thread queue as new comments, so that an
    /// update never overtakes the comment it changes on this node.
    /// </summary>
    public Task OnUpdates(string threadId, Comment[] updates)
    {
        if (Find(threadId) is not { } thread || updates.Length == 0) return Task.CompletedTask;
        return thread.Serialize(async () =>
        {
            await DeliverPendingAsync(thread);
            await Groups.All(Clients, threadId).Updates(threadId, updates);
            CountGroupMessage(thread);
        });
    }

    public Task OnThreadPoints(string threadId, long points) =>
        Find(threadId) is { } thread ? thread.Serialize(() => Groups.All(Clients, threadId).ThreadPoints(threadId, points)) : Task.CompletedTask;

    /// <summary>Through the per-thread queue: a comment flushed before the lock reaches pages before the lock does.</summary>
    public Task OnThreadLocked(string threadId, bool locked) =>
        Find(threadId) is { } thread ? thread.Serialize(async () =>
        {
            await DeliverPendingAsync(thread);
            await Groups.All(Clients, threadId).ThreadLocked(threadId, locked);
        }) : Task.CompletedTask;

    /// <summary>Ephemeral and unordered: straight to the group, not through the per-thread queue.</summary>
    public Task OnTyping(string threadId, string userName, long parentSeq) =>
        Find(threadId) is not null ? Groups.All(Clients, threadId).Typing(threadId, userName, parentSeq) : Task.CompletedTask;

    public Task OnViewers(string threadId, int viewers)
    {
        if (Find(threadId) is not { } thread) return Task.CompletedTask;
        thread.Viewers = viewers;
        return Groups.All(Clients, threadId).Viewers(threadId, viewers);
    }

    protected override IReadOnlyCollection<string> Wanted()
    {
        lock (_lock) return [.. _threads.Keys];
    }

    /// <summary>The thread as the node holds it now (a reader who came back after the last one left makes a new entry).</summary>
    protected override Task ResubscribeAsync(string threadId) =>
        Find(threadId) is { } thread ? SubscribeAsync(thread) : Task.CompletedTask;

    protected override Task UnsubscribeAsync(string threadId) => Grain(threadId).Unsubscribe(NodeId, Self);

    /// <param name="batch">In seq order; it may have gaps (batches coalesced around a missing one).</param>
    private async Task DeliverAsync(LocalThread thread, Comment[] batch)
    {
        // A batch racing ahead of the first subscription's answer: it starts this node's sequence
        // (readers joining now read everything before it in JoinThread).
        if (!thread.Subscribed && thread.LastDeliveredSeq == 0) thread.LastDeliveredSeq = batch[0].Seq - 1;
        if (batch[^1].Seq <= thread.LastDeliveredSeq) return; // already delivered (or filled in earlier)
        var fresh = new List<Comment>(batch.Length);
        var last = thread.LastDeliveredSeq;
        foreach (var c in batch)
        {
            if (c.Seq <= last) continue;
            // A batch went missing or is late: fetch the gap from the grain first, so the group sees seqs in order.
            if (c.Seq > last + 1) fresh.AddRange(await FetchAfterAsync(thread, last, c.Seq - 1));
            fresh.Add(c);
            last = c.Seq;
        }
        await SendAsync(thread, fresh);
    }

    private async Task SendAsync(LocalThread thread, List<Comment> comments)
    {
        var next = comments.Where(c => c.Seq > thread.LastDeliveredSeq).ToArray();
        if (next.Length == 0) return;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref thread.LastSendAt, started);
        await Groups.SendInParallelAsync(Clients, thread.ThreadId, group => group.Comments(thread.ThreadId, next));
        _stages.Since(PostStages.GroupSend, started, next.Length);
        thread.LastDeliveredSeq = next[^1].Seq;
        CountGroupMessage(thread);
    }

    private void CountGroupMessage(LocalThread thread)
    {
        int readers;
        lock (_lock) readers = thread.Connections.Count;
        _metrics.SignalRGroupMessageSent(readers);
    }

    private async Task<List<Comment>> FetchAfterAsync(LocalThread thread, long afterSeq, long upToSeq)
    {
        var grain = Grain(thread.ThreadId);
        var result = new List<Comment>();
        while (afterSeq < upToSeq)
        {
            var page = await grain.GetComments(afterSeq, Limits.MaxPageSize);
            if (page.Comments.Length == 0) break;
            result.AddRange(page.Comments.Where(c => c.Seq <= upToSeq));
            afterSeq = page.Comments[^1].Seq;
        }
        return result;
    }

    private async Task SubscribeAsync(LocalThread thread)
    {
        int viewers;
        lock (_lock) viewers = thread.Connections.Count;
        NodeObserverProtocol.Declare();
        var subscription = await Grain(thread.ThreadId).Subscribe(NodeId, Self, viewers);
        thread.Viewers = subscription.Viewers;
        await thread.Serialize(async () =>
        {
            if (!thread.Subscribed)
            {
                // Newly subscribed: readers joining now get everything up to here from JoinThread.
                thread.LastDeliveredSeq = Math.Max(thread.LastDeliveredSeq, subscription.LastSeq);
                thread.Subscribed = true;
            }
            else if (subscription.LastSeq > thread.LastDeliveredSeq)
            {
                // Batches were lost (e.g. the grain moved to another silo): fill in before going on.
                await SendAsync(thread, await FetchAfterAsync(thread, thread.LastDeliveredSeq, subscription.LastSeq));
            }
        });
    }

    private async Task RemoveReaderAsync(string threadId, string connectionId)
    {
        LocalThread? thread;
        bool last;
        lock (_lock)
        {
            if (!_threads.TryGetValue(threadId, out thread) || !thread.Connections.Remove(connectionId)) return;
            last = thread.Connections.Count == 0;
            if (last) _threads.Remove(threadId);
        }
        if (last) await DropAsync(threadId);
        else ScheduleViewerReport(thread);
    }

    /// <summary>
    /// Joins and leaves in a burst cost the grain one call, not one each. The report is of the
    /// thread as the node holds it when the delay is up: if its last reader left meanwhile and a new
    /// one came, that is a new entry, and the old one's count (0) would be wrong.
    /// </summary>
    private void ScheduleViewerReport(LocalThread thread)
    {
        if (Interlocked.Exchange(ref thread.ViewerReportPending, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(Options.ViewerReportDelay);
            Interlocked.Exchange(ref thread.ViewerReportPending, 0);
            await TryResubscribeAsync(thread.ThreadId);
        });
    }

    private sealed class LocalThread(string threadId)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public string ThreadId { get; } = threadId;
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);
        public long LastDeliveredSeq { get; set; }
        public bool Subscribed { get; set; }
        public int Viewers { get; set; }
        public int ViewerReportPending;
        /// <summary>When the last <c>Comments</c> send of this thread started (a Stopwatch timestamp; 0 before the first).</summary>
        public long LastSendAt;
        /// <summary>Comments waiting to be sent, with when each arrived (locked on itself).</summary>
        public List<(Comment Comment, long ArrivedAt)> Pending { get; } = [];

        /// <summary>A delivery loop is running for this thread (read and written under the lock on <see cref="Pending"/>).</summary>
        public bool Delivering { get; set; }

        public async Task Serialize(Func<Task> work)
        {
            await _gate.WaitAsync();
            try { await work(); }
            finally { _gate.Release(); }
        }
    }
}
