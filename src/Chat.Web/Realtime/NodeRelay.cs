using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Realtime;

/// <summary>
/// The skeleton of a relay: this web node's one observer of a kind of grain (threads, the front
/// page, users' inboxes), subscribed by key (a thread id, a user name) while the node has readers of
/// that key. It owns the observer reference, the refresh that keeps subscriptions from expiring (and
/// finds a grain that moved to another silo, should its new activation not know the node),
/// subscribing again at once when a grain that came back asks it to, unsubscribing what no reader
/// needs any more, and unsubscribing everything at shutdown. A relay says which keys it holds and how to (un)subscribe
/// one; what it delivers, and how, is its own.
/// </summary>
public abstract class NodeRelay<TObserver> : IHostedService, IDisposable where TObserver : class, INodeObserver
{
    private readonly NodeObserverReference<TObserver> _observer;
    private readonly string _name;
    private PeriodicTimer? _refreshTimer;
    private Task _refreshLoop = Task.CompletedTask;

    protected NodeRelay(RelayServices services, ILogger logger, string name)
    {
        Grains = services.Grains;
        Clients = services.Hub.Clients;
        NodeId = services.Node.Id;
        Options = services.Options.Value;
        Logger = logger;
        _name = name;
        _observer = new NodeObserverReference<TObserver>(services.Grains, logger, name);
    }

    protected IGrainFactory Grains { get; }
    protected IHubClients<IDiscussionClient> Clients { get; }
    protected string NodeId { get; }
    protected RelayOptions Options { get; }
    protected ILogger Logger { get; }

    /// <summary>The node's observer reference, handed to grains when subscribing.</summary>
    protected TObserver Self => _observer.Reference;

    /// <summary>Keys this node has readers of: each is re-subscribed at every refresh.</summary>
    protected abstract IReadOnlyCollection<string> Wanted();

    /// <summary>Keys the node may be subscribed to: unsubscribed at shutdown.</summary>
    protected virtual IReadOnlyCollection<string> Held() => Wanted();

    /// <summary>
    /// Keys whose readers are all gone, forgotten here and now, for the refresh to unsubscribe. A relay
    /// that keeps a subscription until the next refresh (a reader going from page to page would
    /// otherwise cost an unsubscribe and a subscribe each time) hands them over here.
    /// </summary>
    protected virtual IReadOnlyCollection<string> ReleaseIdle() => [];

    /// <summary>Subscribes again (or for the first time) to a key this node has readers of.</summary>
    protected abstract Task ResubscribeAsync(string key);

    protected abstract Task UnsubscribeAsync(string key);

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        _observer.Create(this as TObserver ?? throw new InvalidOperationException($"The {_name} must implement {typeof(TObserver).Name}."));
        _refreshTimer = new PeriodicTimer(Options.RefreshPeriod);
        _refreshLoop = RefreshLoopAsync(_refreshTimer);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _refreshTimer?.Dispose();
        await _refreshLoop;
        foreach (var key in Held())
        {
            try { await UnsubscribeAsync(key); }
            catch (Exception ex) { Logger.LogDebug(ex, "The {Relay} could not unsubscribe from {Key} on shutdown; the subscription will expire", _name, key); }
        }
        _observer.Delete();
    }

    public void Dispose()
    {
        _refreshTimer?.Dispose();
        _observer.Delete();
    }

    /// <summary>
    /// A grain this node was subscribed to is active again (after a crash, a shutdown or a move) and
    /// pushes to this node already; subscribing again now reports the node's viewers and fills in
    /// what was missed meanwhile, as a refresh would. Off the observer's message loop: the
    /// subscribe is a grain call, and the grain's pushes to this node should not wait for it.
    /// </summary>
    public virtual Task OnReactivated(string key)
    {
        if (Wanted().Contains(key)) _ = TryResubscribeAsync(key);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Unsubscribes from a key whose last reader here left. A reader may have come back while the
    /// unsubscribe travelled, and its subscribe may have reached the grain first (then this undid
    /// it): so look again afterwards, and subscribe again if so.
    /// </summary>
    protected async Task DropAsync(string key)
    {
        await TryUnsubscribeAsync(key);
        if (Wanted().Contains(key)) await TryResubscribeAsync(key);
    }

    /// <summary>A subscription that fails now is retried at the next refresh.</summary>
    protected async Task TryResubscribeAsync(string key)
    {
        try { await ResubscribeAsync(key); }
        catch (Exception ex) { Logger.LogWarning(ex, "The {Relay} could not subscribe to {Key}; the next refresh retries", _name, key); }
    }

    private async Task TryUnsubscribeAsync(string key)
    {
        try { await UnsubscribeAsync(key); }
        catch (Exception ex) { Logger.LogDebug(ex, "The {Relay} could not unsubscribe from {Key}; the subscription will expire", _name, key); }
    }

    private async Task RefreshLoopAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            foreach (var key in ReleaseIdle()) await TryUnsubscribeAsync(key);
            // Read after the unsubscribes: a reader who came back meanwhile is subscribed again here,
            // even if its own subscribe reached the grain before the unsubscribe.
            foreach (var key in Wanted()) await TryResubscribeAsync(key);
        }
    }
}
