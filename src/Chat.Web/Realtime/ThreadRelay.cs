using Chat.Grains;
using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of the fan-out: one observer per node, subscribed to each thread that has a
/// local reader. Each batch a thread grain sends arrives here once and goes to the local SignalR
/// group, in seq order, with any gap filled from the grain first, so a reader never sees a comment
/// twice or out of order because of how batches travelled.
/// </summary>
public sealed class ThreadRelay : IThreadObserver, IHostedService, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IHubContext<DiscussionHub> _hub;
    private readonly ChatMetrics _metrics;
    private readonly RelayOptions _options;
    private readonly ILogger<ThreadRelay> _logger;
    private readonly string _nodeId = $"{Environment.MachineName}-{Guid.NewGuid():N}";
    private readonly Dictionary<string, LocalThread> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadsByConnection = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private PeriodicTimer? _refreshTimer;
    private Task _refreshLoop = Task.CompletedTask;

    private readonly IHostApplicationLifetime _lifetime;

    public ThreadRelay(IGrainFactory grains, IHubContext<DiscussionHub> hub, ChatMetrics metrics, IOptions<RelayOptions> options, IHostApplicationLifetime lifetime, ILogger<ThreadRelay> logger)
    {
        _lifetime = lifetime;
        _grains = grains;
        _hub = hub;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _observer = new NodeObserverReference<IThreadObserver>(grains, logger, "relay");
        metrics.ObserveSubscribedThreads(() => { lock (_lock) return _threads.Count; });
    }

    private readonly NodeObserverReference<IThreadObserver> _observer;
    private IThreadObserver Self => _observer.Reference;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Shutting down: tell every client to reconnect now (through the load balancer, to another
        // node, where it rejoins with its last seq) instead of waiting to find its socket closed.
        _lifetime.ApplicationStopping.Register(() => _ = _hub.Clients.All.SendAsync("reconnect"));
        _observer.Create(this);
        _refreshTimer = new PeriodicTimer(_options.RefreshPeriod);
        _refreshLoop = RefreshLoopAsync(_refreshTimer);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _refreshTimer?.Dispose();
        await _refreshLoop;
        LocalThread[] threads;
        lock (_lock) threads = [.. _threads.Values];
        foreach (var thread in threads)
        {
            try { await _grains.GetGrain<IThreadGrain>(thread.ThreadId).Unsubscribe(_nodeId, Self); }
            catch (Exception ex) { _logger.LogDebug(ex, "Unsubscribing from {ThreadId} on shutdown failed; the subscription will expire", thread.ThreadId); }
        }
        _observer.Delete();
    }

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _observer.Delete();
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
        LocalThread? thread;
        lock (_lock) _threads.TryGetValue(threadId, out thread);
        if (thread is null || batch.Length == 0) return Task.CompletedTask;
        // Batches can arrive concurrently and out of order; deliver them one at a time per thread.
        return thread.Serialize(() => DeliverAsync(thread, batch));
    }

    /// <summary>
    /// Changed comments (edits, deletes, points) go out as their own message: readers skip a seq they
    /// already hold in <c>comments</c>. Through the same per-thread queue as new comments, so that an
    /// update never overtakes the comment it changes on this node.
    /// </summary>
    public Task OnUpdates(string threadId, Comment[] updates)
    {
        LocalThread? thread;
        lock (_lock) _threads.TryGetValue(threadId, out thread);
        if (thread is null || updates.Length == 0) return Task.CompletedTask;
        return thread.Serialize(async () =>
        {
            await _hub.Clients.Group(threadId).SendAsync("updates", threadId, updates);
            int readers;
            lock (_lock) readers = thread.Connections.Count;
            _metrics.SignalRGroupMessageSent(readers);
        });
    }

    public Task OnThreadPoints(string threadId, long points)
    {
        LocalThread? thread;
        lock (_lock) _threads.TryGetValue(threadId, out thread);
        if (thread is null) return Task.CompletedTask;
        return thread.Serialize(() => _hub.Clients.Group(threadId).SendAsync("threadPoints", threadId, points));
    }

    /// <summary>Through the per-thread queue: a comment flushed before the lock reaches pages before the lock does.</summary>
    public Task OnThreadLocked(string threadId, bool locked)
    {
        LocalThread? thread;
        lock (_lock) _threads.TryGetValue(threadId, out thread);
        if (thread is null) return Task.CompletedTask;
        return thread.Serialize(() => _hub.Clients.Group(threadId).SendAsync("threadLocked", threadId, locked));
    }

    /// <summary>Ephemeral and unordered: straight to the group, not through the per-thread queue.</summary>
    public Task OnTyping(string threadId, string userName, long parentSeq)
    {
        bool local;
        lock (_lock) local = _threads.ContainsKey(threadId);
        return local ? _hub.Clients.Group(threadId).SendAsync("typing", threadId, userName, parentSeq) : Task.CompletedTask;
    }

    public Task OnViewers(string threadId, int viewers)
    {
        LocalThread? thread;
        lock (_lock) _threads.TryGetValue(threadId, out thread);
        if (thread is null) return Task.CompletedTask;
        thread.Viewers = viewers;
        return _hub.Clients.Group(threadId).SendAsync("viewers", threadId, viewers);
    }

    private async Task DeliverAsync(LocalThread thread, Comment[] batch)
    {
        // A batch racing ahead of the first subscription's answer: it starts this node's sequence
        // (readers joining now read everything before it in JoinThread).
        if (!thread.Subscribed && thread.LastDeliveredSeq == 0) thread.LastDeliveredSeq = batch[0].Seq - 1;
        if (batch[^1].Seq <= thread.LastDeliveredSeq) return; // already delivered (or filled in earlier)
        var fresh = new List<Comment>();
        if (batch[0].Seq > thread.LastDeliveredSeq + 1)
        {
            // A batch went missing or is late: fetch the gap from the grain first, so the group sees seqs in order.
            fresh.AddRange(await FetchAfterAsync(thread, thread.LastDeliveredSeq, batch[0].Seq - 1));
        }
        fresh.AddRange(batch.Where(c => c.Seq > thread.LastDeliveredSeq));
        await SendAsync(thread, fresh);
    }

    private async Task SendAsync(LocalThread thread, List<Comment> comments)
    {
        var next = comments.Where(c => c.Seq > thread.LastDeliveredSeq).ToArray();
        if (next.Length == 0) return;
        await _hub.Clients.Group(thread.ThreadId).SendAsync("comments", thread.ThreadId, next);
        thread.LastDeliveredSeq = next[^1].Seq;
        int readers;
        lock (_lock) readers = thread.Connections.Count;
        _metrics.SignalRGroupMessageSent(readers);
    }

    private async Task<List<Comment>> FetchAfterAsync(LocalThread thread, long afterSeq, long upToSeq)
    {
        var grain = _grains.GetGrain<IThreadGrain>(thread.ThreadId);
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
        var subscription = await _grains.GetGrain<IThreadGrain>(thread.ThreadId).Subscribe(_nodeId, Self, viewers);
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
        if (!last)
        {
            ScheduleViewerReport(thread);
            return;
        }
        try { await _grains.GetGrain<IThreadGrain>(threadId).Unsubscribe(_nodeId, Self); }
        catch (Exception ex) { _logger.LogDebug(ex, "Unsubscribing from {ThreadId} failed; the subscription will expire", threadId); }
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
            await Task.Delay(_options.ViewerReportDelay);
            Interlocked.Exchange(ref thread.ViewerReportPending, 0);
            LocalThread? current;
            lock (_lock) if (!_threads.TryGetValue(thread.ThreadId, out current)) return;
            try { await SubscribeAsync(current); }
            catch (Exception ex) { _logger.LogWarning(ex, "Reporting viewers of {ThreadId} failed; the next refresh retries", thread.ThreadId); }
        });
    }

    private async Task RefreshLoopAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            LocalThread[] threads;
            lock (_lock) threads = [.. _threads.Values];
            foreach (var thread in threads)
            {
                try { await SubscribeAsync(thread); }
                catch (Exception ex) { _logger.LogWarning(ex, "Re-subscribing to {ThreadId} failed; will retry", thread.ThreadId); }
            }
        }
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

        public async Task Serialize(Func<Task> work)
        {
            await _gate.WaitAsync();
            try { await work(); }
            finally { _gate.Release(); }
        }
    }
}
