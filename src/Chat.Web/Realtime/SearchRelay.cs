using System.Diagnostics.Metrics;
using Chat.Contracts.Search;

namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of live search: the standing queries of its /search pages (one per
/// connection; a new one replaces it), handed to the index shards through the search grain, which
/// match each new comment against them and push the matches to this node's one observer; the node
/// sends each match to the connections holding its query. Shards match rather than nodes because
/// a node hears only the threads its readers watch, and a search looks at all of them.
/// The node refreshes its whole set on every shard each <see cref="RelayOptions.RefreshPeriod"/>:
/// that drops queries no page holds any more, and restores them on a shard that moved. All calls
/// to the shards go one at a time, so a refresh read before a join cannot land after it and drop it.
/// At most <see cref="RelayOptions.StandingQueriesPerNode"/> connections hold a standing query.
/// </summary>
public sealed class SearchRelay : IHostedService, IStandingQueryObserver, IDisposable
{
    private readonly RelayServices _services;
    private readonly ILogger<SearchRelay> _logger;
    private readonly NodeObserverReference<IStandingQueryObserver> _observer;
    private readonly Dictionary<string, StandingQuery> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _connectionsByKey = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _shardCalls = new(1, 1);
    private PeriodicTimer? _refreshTimer;
    private Task _refreshLoop = Task.CompletedTask;
    private bool _held; // whether shards may hold queries of this node (under _shardCalls)

    public SearchRelay(RelayServices services, IMeterFactory meters, ILogger<SearchRelay> logger)
    {
        (_services, _logger) = (services, logger);
        _observer = new NodeObserverReference<IStandingQueryObserver>(services.Grains, logger, "search relay");
        meters.Create(ChatMeter.Name).CreateObservableGauge("chat.search.standing_queries", () => Count,
            description: "Standing queries (search pages left open, one per connection) this web node holds; bounded by Chat:Relay:StandingQueriesPerNode");
    }

    public int Count
    {
        get { lock (_lock) return _byConnection.Count; }
    }

    private ISearchGrain Grain => _services.Grains.GetGrain<ISearchGrain>(0);

    private int Bound => _services.Options.Value.StandingQueriesPerNode;

    /// <summary>Holds query for the connection from now on (instead of any it held); refused beyond the node's bound.</summary>
    public async Task JoinAsync(string connectionId, SearchQuery query)
    {
        var standing = StandingQuery.Of(query);
        bool isNew;
        lock (_lock)
        {
            if (!_byConnection.ContainsKey(connectionId) && _byConnection.Count >= Bound)
                throw ChatException.RateLimited($"live searches on this server (it holds at most {Bound}); the results stay, new matches will not appear until then", _services.Options.Value.RefreshPeriod);
            Forget(connectionId);
            _byConnection[connectionId] = standing;
            if (_connectionsByKey.TryGetValue(standing.Key, out var connections)) isNew = false;
            else
            {
                _connectionsByKey[standing.Key] = connections = new HashSet<string>(StringComparer.Ordinal);
                isNew = true;
            }
            connections.Add(connectionId);
        }
        if (!isNew) return;
        await _shardCalls.WaitAsync();
        try
        {
            await Grain.Watch(_services.Node.Id, _observer.Reference, [standing], replace: false);
            _held = true;
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            _logger.LogWarning(ex, "The search relay could not hand a standing query to the shards; the next refresh does");
        }
        finally
        {
            _shardCalls.Release();
        }
    }

    /// <summary>The connection holds no standing query any more; the shards forget it at the next refresh.</summary>
    public void Leave(string connectionId)
    {
        lock (_lock) Forget(connectionId);
    }

    private void Forget(string connectionId)
    {
        if (!_byConnection.Remove(connectionId, out var old)) return;
        if (_connectionsByKey.TryGetValue(old.Key, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            _connectionsByKey.Remove(old.Key);
    }

    public Task OnSearchMatches(StandingMatch[] matches)
    {
        foreach (var byKey in matches.GroupBy(m => m.Key, StringComparer.Ordinal))
        {
            string[] connections;
            lock (_lock) connections = _connectionsByKey.TryGetValue(byKey.Key, out var held) ? [.. held] : [];
            if (connections.Length > 0) Send(_services.Hub.Clients.Clients(connections).SearchMatches([.. byKey.Select(m => m.Hit)]));
        }
        return Task.CompletedTask;
    }

    public Task OnSearchWithdrawn(string threadId, long seq)
    {
        string[] connections;
        lock (_lock) connections = [.. _byConnection.Keys];
        if (connections.Length > 0) Send(_services.Hub.Clients.Clients(connections).SearchWithdrawn(threadId, seq));
        return Task.CompletedTask;
    }

    /// <summary>Off the observer's message loop: the next match does not wait for this one's frames.</summary>
    private void Send(Task sending) => sending.ContinueWith(t => _logger.LogDebug(t.Exception, "Pushing search matches failed"), TaskContinuationOptions.OnlyOnFaulted);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _observer.Create(this);
        _refreshTimer = new PeriodicTimer(_services.Options.Value.RefreshPeriod);
        _refreshLoop = RefreshLoopAsync(_refreshTimer);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _refreshTimer?.Dispose();
        await _refreshLoop;
        lock (_lock)
        {
            _byConnection.Clear();
            _connectionsByKey.Clear();
        }
        await RefreshAsync();
        _observer.Delete();
    }

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _observer.Delete();
    }

    private async Task RefreshLoopAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync()) await RefreshAsync();
    }

    /// <summary>Hands every shard this node's whole set (none: the shards drop the node).</summary>
    private async Task RefreshAsync()
    {
        await _shardCalls.WaitAsync();
        try
        {
            StandingQuery[] all;
            lock (_lock) all = [.. _connectionsByKey.Keys.Select(k => _byConnection[_connectionsByKey[k].First()])];
            if (all.Length == 0 && !_held) return;
            await Grain.Watch(_services.Node.Id, _observer.Reference, all, replace: true);
            _held = all.Length > 0;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "The search relay could not refresh its standing queries; the next refresh retries");
        }
        finally
        {
            _shardCalls.Release();
        }
    }
}
