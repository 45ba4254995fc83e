using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of the live front page: one observer per node, subscribed to the front-page
/// grain while the node has front-page readers. When the grain says the list changed (at most about
/// once a second), the node reads each sort its readers look at once and sends it to the local
/// SignalR group of that sort: the grain's work per change is one message per node, and one read
/// per node and sort, however many readers there are.
/// </summary>
public sealed class FrontPageRelay : IFrontPageObserver, IHostedService, IDisposable
{
    /// <summary>Rows pushed per sort: what the front page shows.</summary>
    public const int ListLength = 30;

    public static readonly string[] Sorts = ["hot", "new"];

    private readonly IGrainFactory _grains;
    private readonly IHubContext<DiscussionHub> _hub;
    private readonly RelayOptions _options;
    private readonly ILogger<FrontPageRelay> _logger;
    private readonly string _nodeId = $"{Environment.MachineName}-{Guid.NewGuid():N}";
    private readonly Dictionary<string, string> _sortByConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CachedList> _lists = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _pushGate = new(1, 1);
    private long _version = long.MinValue;
    private bool _subscribed;
    private int _pushRequested;
    private PeriodicTimer? _refreshTimer;
    private Task _refreshLoop = Task.CompletedTask;

    public FrontPageRelay(IGrainFactory grains, IHubContext<DiscussionHub> hub, IOptions<RelayOptions> options, ILogger<FrontPageRelay> logger)
    {
        _grains = grains;
        _hub = hub;
        _options = options.Value;
        _logger = logger;
        _observer = new NodeObserverReference<IFrontPageObserver>(grains, logger, "front-page relay");
    }

    public static string GroupName(string sort) => "front:" + sort;

    private readonly NodeObserverReference<IFrontPageObserver> _observer;
    private IFrontPageObserver Self => _observer.Reference;

    private IFrontPageGrain Grain => _grains.GetGrain<IFrontPageGrain>(0);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _observer.Create(this);
        _refreshTimer = new PeriodicTimer(_options.RefreshPeriod);
        _refreshLoop = RefreshLoopAsync(_refreshTimer);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _refreshTimer?.Dispose();
        await _refreshLoop;
        bool subscribed;
        lock (_lock) subscribed = _subscribed;
        if (subscribed)
        {
            try { await Grain.Unsubscribe(_nodeId); }
            catch (Exception ex) { _logger.LogDebug(ex, "Unsubscribing from the front page on shutdown failed; the subscription will expire"); }
        }
        _observer.Delete();
    }

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _observer.Delete();
    }


    /// <summary>
    /// Counts a reader of one sort (a connection reads one sort at a time; the caller has put it in
    /// the sort's group) and returns the list as it is now.
    /// </summary>
    public async Task<ThreadSummary[]> JoinAsync(string sort, string connectionId)
    {
        bool subscribed;
        lock (_lock)
        {
            _sortByConnection[connectionId] = sort;
            subscribed = _subscribed;
        }
        // Not subscribed, or an unsubscribe is on its way: subscribe now. Should the unsubscribe land
        // after this, the refresh that sent it sees this reader and subscribes again.
        if (!subscribed) await SubscribeAsync(pushIfChanged: false);
        return await ListAsync(sort, fresh: false);
    }

    /// <summary>Returns the sort the connection was reading, if any (the caller takes it out of that group).</summary>
    public string? Leave(string connectionId)
    {
        // The subscription stays until the next refresh finds no readers: a reader going from page
        // to page would otherwise cost an unsubscribe and a subscribe each time.
        lock (_lock) return _sortByConnection.Remove(connectionId, out var sort) ? sort : null;
    }

    public Task OnFrontPageChanged(long version)
    {
        if (AdvanceVersion(version)) RequestPush();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Versions only move forward: notices travel out of order, and one older than what the node
    /// has seen (or read) has nothing new. A new grain activation starts its counter further on.
    /// </summary>
    private bool AdvanceVersion(long version)
    {
        while (true)
        {
            var seen = Interlocked.Read(ref _version);
            if (version <= seen) return false;
            if (Interlocked.CompareExchange(ref _version, version, seen) == seen) return true;
        }
    }

    /// <summary>
    /// Changes that arrive while a push is reading or sending collapse into one more push, which
    /// reads the newest list.
    /// </summary>
    private void RequestPush()
    {
        if (Interlocked.Exchange(ref _pushRequested, 1) == 1) return;
        _ = Task.Run(PushAsync);
    }

    private async Task PushAsync()
    {
        await _pushGate.WaitAsync();
        try
        {
            Interlocked.Exchange(ref _pushRequested, 0);
            string[] sorts;
            lock (_lock) sorts = [.. _sortByConnection.Values.Distinct()];
            foreach (var sort in sorts)
            {
                var threads = await ListAsync(sort, fresh: true);
                await _hub.Clients.Group(GroupName(sort)).SendAsync("frontPage", sort, threads);
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Pushing the front page failed; the next change or refresh retries");
        }
        finally
        {
            _pushGate.Release();
        }
    }

    /// <summary>
    /// The list of one sort. Joins share what the last read found while nothing changed since and it
    /// is younger than a refresh period (hot scores decay with time even when nothing changes).
    /// </summary>
    private async Task<ThreadSummary[]> ListAsync(string sort, bool fresh)
    {
        var version = Interlocked.Read(ref _version);
        var now = DateTimeOffset.UtcNow;
        if (!fresh)
        {
            lock (_lock)
            {
                if (_subscribed && _lists.TryGetValue(sort, out var cached) && cached.Version == version && now - cached.ReadAt < _options.RefreshPeriod)
                    return cached.Threads;
            }
        }
        var threads = await Grain.GetThreadsSorted(sort, ListLength);
        lock (_lock) _lists[sort] = new CachedList(version, threads, now);
        return threads;
    }

    /// <summary>
    /// A refresh pushes a change this node did not hear of (the grain moved, or a notice was lost);
    /// a join does not need to: the joining reader reads the list itself.
    /// </summary>
    private async Task SubscribeAsync(bool pushIfChanged)
    {
        var version = await Grain.Subscribe(_nodeId, Self);
        lock (_lock) _subscribed = true;
        if (AdvanceVersion(version) && pushIfChanged) RequestPush();
    }

    private async Task RefreshLoopAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            bool readers, drop;
            lock (_lock)
            {
                // Decided under the lock, with the joins: a join from now on subscribes itself.
                readers = _sortByConnection.Count > 0;
                drop = !readers && _subscribed;
                if (drop) _subscribed = false;
            }
            try
            {
                if (readers) await SubscribeAsync(pushIfChanged: true);
                else if (drop)
                {
                    await Grain.Unsubscribe(_nodeId);
                    // A reader who joined meanwhile subscribed, and that may have reached the grain
                    // first: then this unsubscribe undid it, so subscribe again.
                    lock (_lock) readers = _sortByConnection.Count > 0;
                    if (readers) await SubscribeAsync(pushIfChanged: true);
                }
            }
            catch (Exception ex) { _logger.LogWarning(ex, "Refreshing the front-page subscription failed; will retry"); }
        }
    }

    private sealed record CachedList(long Version, ThreadSummary[] Threads, DateTimeOffset ReadAt);
}
