namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of the live front page: one observer per node, subscribed to the front-page
/// grain while the node has front-page readers. When the grain says the list changed (at most about
/// once a second), the node reads each sort its readers look at once and sends it to the local
/// SignalR group of that sort: the grain's work per change is one message per node, and one read
/// per node and sort, however many readers there are.
/// </summary>
public sealed class FrontPageRelay(RelayServices services, ILogger<FrontPageRelay> logger)
    : NodeRelay<IFrontPageObserver>(services, logger, "front-page relay"), IFrontPageObserver
{
    /// <summary>Rows pushed per sort: what the front page shows.</summary>
    public const int ListLength = 30;

    /// <summary>The one key of this relay's subscription (there is one front page).</summary>
    private const string FrontPageKey = "the front page";

    private readonly Dictionary<string, string> _sortByConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CachedList> _lists = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _pushGate = new(1, 1);
    private long _version = long.MinValue;
    private bool _subscribed; // under _lock: whether to subscribe is decided together with the readers
    private int _pushRequested;

    public static string GroupName(string sort) => "front:" + sort;

    private IFrontPageGrain Grain => Grains.GetGrain<IFrontPageGrain>(0);

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

    /// <summary>There is one front page, whatever the grain calls its key.</summary>
    public override Task OnReactivated(string key) => base.OnReactivated(FrontPageKey);

    protected override IReadOnlyCollection<string> Wanted()
    {
        lock (_lock) return _sortByConnection.Count > 0 ? [FrontPageKey] : [];
    }

    protected override IReadOnlyCollection<string> Held()
    {
        lock (_lock) return _subscribed ? [FrontPageKey] : [];
    }

    protected override IReadOnlyCollection<string> ReleaseIdle()
    {
        lock (_lock)
        {
            if (_sortByConnection.Count > 0 || !_subscribed) return [];
            // From here a join subscribes by itself (see JoinAsync).
            _subscribed = false;
            return [FrontPageKey];
        }
    }

    /// <summary>A refresh pushes a change this node did not hear of (the grain moved, or a notice was lost).</summary>
    protected override Task ResubscribeAsync(string key) => SubscribeAsync(pushIfChanged: true);

    protected override Task UnsubscribeAsync(string key) => Grain.Unsubscribe(NodeId);

    /// <summary>A join does not push: the joining reader reads the list itself.</summary>
    private async Task SubscribeAsync(bool pushIfChanged)
    {
        NodeObserverProtocol.Declare();
        var version = await Grain.Subscribe(NodeId, Self);
        lock (_lock) _subscribed = true;
        if (AdvanceVersion(version) && pushIfChanged) RequestPush();
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
                await Clients.Group(GroupName(sort)).FrontPage(sort, threads);
            }
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Pushing the front page failed; the next change or refresh retries");
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
                if (_subscribed && _lists.TryGetValue(sort, out var cached) && cached.Version == version && now - cached.ReadAt < Options.RefreshPeriod)
                    return cached.Threads;
            }
        }
        var threads = await Grain.GetThreadsSorted(sort, ListLength);
        lock (_lock) _lists[sort] = new CachedList(version, threads, now);
        return threads;
    }

    private sealed record CachedList(long Version, ThreadSummary[] Threads, DateTimeOffset ReadAt);
}
