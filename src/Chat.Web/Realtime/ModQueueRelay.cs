namespace Chat.Web.Realtime;

/// <summary>
/// This web node's end of the moderation queue: subscribed to the queue grain while a moderator has
/// /mod open here. Each change reaches every such page as <c>ModQueue</c> (a version; pages read the
/// queue again), through one SignalR group.
/// </summary>
public sealed class ModQueueRelay(RelayServices services, ILogger<ModQueueRelay> logger)
    : NodeRelay<IModQueueObserver>(services, logger, "moderation queue relay"), IModQueueObserver
{
    public const string GroupName = "mod-queue";
    private const string Key = "0";

    private readonly HashSet<string> _connections = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _version = long.MinValue;
    // Whether any moderator ever joined here: a node that never had one leaves the queue grain alone at shutdown.
    private bool _joined;

    private IFlagQueueGrain Grain => Grains.GetGrain<IFlagQueueGrain>(0);

    public async Task JoinAsync(string connectionId)
    {
        lock (_lock)
        {
            _joined = true;
            _connections.Add(connectionId);
        }
        Apply(await Grain.Subscribe(NodeId, Self));
    }

    /// <summary>Like the inbox, the subscription outlives the last page until the next refresh.</summary>
    public Task LeaveAsync(string connectionId)
    {
        lock (_lock) _connections.Remove(connectionId);
        return Task.CompletedTask;
    }

    public Task OnModQueue(long version) => Apply(version) ? Clients.Group(GroupName).ModQueue(version) : Task.CompletedTask;

    protected override IReadOnlyCollection<string> Wanted()
    {
        lock (_lock) return _connections.Count > 0 ? [Key] : [];
    }

    protected override IReadOnlyCollection<string> Held()
    {
        lock (_lock) return _joined ? [Key] : [];
    }

    /// <summary>A change this node missed (the grain moved and its notice went nowhere) is told to the pages now.</summary>
    protected override async Task ResubscribeAsync(string key)
    {
        var version = await Grain.Subscribe(NodeId, Self);
        if (Apply(version)) await Clients.Group(GroupName).ModQueue(version);
    }

    protected override Task UnsubscribeAsync(string key) => Grain.Unsubscribe(NodeId);

    /// <summary>Takes a version unless a newer one came first. True if taken.</summary>
    private bool Apply(long version)
    {
        lock (_lock)
        {
            if (version <= _version) return false;
            _version = version;
            return true;
        }
    }
}
