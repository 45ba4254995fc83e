using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of reply notifications: one observer per node, subscribed to the grain of
/// each user who has a page open here. A user's grain tells the node once when their unread count
/// changes, and the node sends <c>inbox</c> to all that user's connections on it.
/// </summary>
public sealed class InboxRelay : IInboxObserver, IHostedService, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IHubContext<DiscussionHub> _hub;
    private readonly RelayOptions _options;
    private readonly ILogger<InboxRelay> _logger;
    private readonly string _nodeId = $"{Environment.MachineName}-{Guid.NewGuid():N}";
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _userByConnection = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private PeriodicTimer? _refreshTimer;
    private Task _refreshLoop = Task.CompletedTask;

    public InboxRelay(IGrainFactory grains, IHubContext<DiscussionHub> hub, IOptions<RelayOptions> options, ILogger<InboxRelay> logger)
    {
        _grains = grains;
        _hub = hub;
        _options = options.Value;
        _logger = logger;
        _observer = new NodeObserverReference<IInboxObserver>(grains, logger, "inbox relay");
    }

    private readonly NodeObserverReference<IInboxObserver> _observer;
    private IInboxObserver Self => _observer.Reference;

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
        string[] users;
        lock (_lock) users = [.. _users.Keys];
        foreach (var userName in users)
        {
            try { await _grains.GetGrain<IUserGrain>(userName).UnsubscribeInbox(_nodeId); }
            catch (Exception ex) { _logger.LogDebug(ex, "Unsubscribing from {UserName}'s inbox on shutdown failed; the subscription will expire", userName); }
        }
        _observer.Delete();
    }

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _observer.Delete();
    }


    /// <summary>A page of this user wants the live count: subscribes the node to the user's grain. Returns the unread count.</summary>
    public async Task<int> JoinAsync(string userName, string connectionId)
    {
        LocalUser user;
        lock (_lock)
        {
            // A connection belongs to one user for its whole life; a second join is a refresh.
            _userByConnection[connectionId] = userName;
            if (!_users.TryGetValue(userName, out user!)) _users[userName] = user = new LocalUser(userName);
            user.Connections.Add(connectionId);
        }
        // Every join asks the grain, even when the node is subscribed already: it is how a page
        // learns the count, and it refreshes the subscription on the way.
        user.Apply(await _grains.GetGrain<IUserGrain>(userName).SubscribeInbox(_nodeId, Self));
        return user.Unread;
    }

    /// <summary>
    /// The subscription outlives the user's last connection until the next refresh: going from page
    /// to page closes one connection and opens the next, and should not cost an unsubscribe and a
    /// subscribe each time (nor let the two race).
    /// </summary>
    public Task LeaveAllAsync(string connectionId)
    {
        lock (_lock)
        {
            if (_userByConnection.Remove(connectionId, out var userName) && _users.TryGetValue(userName, out var user))
                user.Connections.Remove(connectionId);
        }
        return Task.CompletedTask;
    }

    public Task OnInbox(string userName, InboxStatus status)
    {
        LocalUser? user;
        lock (_lock) _users.TryGetValue(userName, out user);
        if (user is null || !user.Apply(status)) return Task.CompletedTask;
        return SendAsync(user);
    }

    /// <summary>The newest count this node knows, whichever notice made it send.</summary>
    private Task SendAsync(LocalUser user) => _hub.Clients.User(user.UserName).SendAsync("inbox", new InboxCount(user.Unread));

    private async Task RefreshLoopAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            LocalUser[] users;
            List<string> gone = [];
            lock (_lock)
            {
                foreach (var user in _users.Values.Where(u => u.Connections.Count == 0).ToList())
                {
                    _users.Remove(user.UserName);
                    gone.Add(user.UserName);
                }
                users = [.. _users.Values];
            }
            foreach (var userName in gone)
            {
                try { await _grains.GetGrain<IUserGrain>(userName).UnsubscribeInbox(_nodeId); }
                catch (Exception ex) { _logger.LogDebug(ex, "Unsubscribing from {UserName}'s inbox failed; the subscription will expire", userName); }
            }
            foreach (var user in users)
            {
                try
                {
                    // A count that moved without telling us (the grain moved to another silo and
                    // its notification went to nobody) is put right here.
                    var before = user.Unread;
                    if (user.Apply(await _grains.GetGrain<IUserGrain>(user.UserName).SubscribeInbox(_nodeId, Self)) && user.Unread != before)
                        await SendAsync(user);
                }
                catch (Exception ex) { _logger.LogWarning(ex, "Re-subscribing to {UserName}'s inbox failed; will retry", user.UserName); }
            }
        }
    }

    private sealed class LocalUser(string userName)
    {
        private readonly Lock _lock = new();
        private long _version = long.MinValue;

        public string UserName { get; } = userName;
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);
        public int Unread { get; private set; }

        /// <summary>Takes a status unless a newer one came first (notices travel out of order). True if taken.</summary>
        public bool Apply(InboxStatus status)
        {
            lock (_lock)
            {
                if (status.Version <= _version) return false;
                _version = status.Version;
                Unread = status.Unread;
                return true;
            }
        }
    }
}
