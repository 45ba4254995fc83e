namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of reply notifications: one observer per node, subscribed to the grain of
/// each user who has a page open here. A user's grain tells the node once when their unread count
/// changes, and the node sends <c>Inbox</c> to all that user's connections on it.
/// </summary>
public sealed class InboxRelay(RelayServices services, ILogger<InboxRelay> logger)
    : NodeRelay<IInboxObserver>(services, logger, "inbox relay"), IInboxObserver
{
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _userByConnection = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private IUserGrain Grain(string userName) => Grains.GetGrain<IUserGrain>(userName);

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
        user.Apply(await SubscribeAsync(userName));
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

    protected override IReadOnlyCollection<string> Wanted()
    {
        lock (_lock) return [.. _users.Keys];
    }

    protected override IReadOnlyCollection<string> ReleaseIdle()
    {
        lock (_lock)
        {
            var gone = _users.Values.Where(u => u.Connections.Count == 0).Select(u => u.UserName).ToList();
            foreach (var userName in gone) _users.Remove(userName);
            return gone;
        }
    }

    /// <summary>Subscribes (or refreshes) this node to a user's inbox, saying what its observer answers.</summary>
    private async Task<InboxStatus> SubscribeAsync(string userName)
    {
        NodeObserverProtocol.Declare();
        return await Grain(userName).SubscribeInbox(NodeId, Self);
    }

    /// <summary>
    /// A count that moved without telling us (the grain moved to another silo and its notification
    /// went to nobody) is put right here.
    /// </summary>
    protected override async Task ResubscribeAsync(string userName)
    {
        LocalUser? user;
        lock (_lock) _users.TryGetValue(userName, out user);
        if (user is null) return;
        var before = user.Unread;
        if (user.Apply(await SubscribeAsync(userName)) && user.Unread != before)
            await SendAsync(user);
    }

    protected override Task UnsubscribeAsync(string userName) => Grain(userName).UnsubscribeInbox(NodeId);

    /// <summary>The newest count this node knows, whichever notice made it send.</summary>
    private Task SendAsync(LocalUser user) => Clients.User(user.UserName).Inbox(new InboxCount(user.Unread));

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
