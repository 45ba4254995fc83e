using Chat.Grains.FrontPage;
using Chat.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Chat.Grains;

/// <summary>
/// The front page's list of threads. Rows arrive from thread grains at most every couple of seconds
/// per thread. A new thread is saved at once (so it is never lost from the list); count changes are
/// saved on a timer, since the threads themselves hold the true counts.
/// Web nodes with front-page readers subscribe an observer each; however many rows change, nodes hear
/// of it at most once per <see cref="FrontPageOptions.PushPeriod"/>, and then read the list themselves.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // only threads are moved by a rebalancer: they hand their memory over
public sealed class FrontPageGrain(
    [PersistentState("frontpage", ChatStorage.GrainStorageName)] IPersistentState<FrontPageState> state,
    [PersistentState(SubscribedNodesState.Name, ChatStorage.GrainStorageName)] IPersistentState<SubscribedNodesState> nodes,
    IGrainFactory grains,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    IOptions<FrontPageOptions> options,
    ILogger<FrontPageGrain> logger) : Grain, IFrontPageGrain
{
    /// <summary>Keeps grain state far below the ~1 MB that table grain storage accepts.</summary>
    private const int MaxThreads = 1_000;
    private readonly FrontPageOptions _options = options.Value;
    private readonly NodeSubscriptions<IFrontPageObserver> _nodes = new(nodes, grains, time, options.Value.SubscriptionExpiry, "the nodes of the front page", logger);
    private readonly LazyGrainState<FrontPageState> _saved = new(state, "the front page", logger);

    // Starts somewhere new on each activation, so that a node that saw the old activation's counter
    // does not mistake the new one's for news it already has. The machine's clock on purpose: this
    // is a counter's seed, not a time, and must never repeat.
    private long _version = DateTime.UtcNow.Ticks;
    private DateTimeOffset _pushedAt = DateTimeOffset.MinValue;
    private bool _pushPending;
    private IGrainTimer? _pushTimer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)));
        // Armed only while a push waits for its turn.
        _pushTimer = this.RegisterGrainTimer(PushPendingAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        _nodes.Restore(this.GetPrimaryKeyLong().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _saved.SaveIfDirtyAsync();
        await _nodes.SaveAsync();
    }

    public Task<ThreadSummary[]> GetThreads(int limit) => GetThreadsSorted("new", limit);

    public Task<ThreadSummary[]> GetThreadsSorted(string sort, int limit)
    {
        IEnumerable<ThreadSummary> threads = state.State.Threads;
        if (sort == "hot")
        {
            // At most 1,000 rows: ranking them on each read costs microseconds, and keeps the order
            // true to the moment of reading as scores decay.
            var now = time.GetUtcNow();
            threads = threads.OrderByDescending(t => Ranking.Hot(t.Score, t.CommentCount, t.CreatedAt, now)).ThenByDescending(t => t.CreatedAt);
        }
        else
        {
            threads = threads.OrderByDescending(t => t.CreatedAt);
        }
        return Task.FromResult(threads.Take(Math.Clamp(limit, 1, 500)).ToArray());
    }

    public async Task Update(ThreadSummary thread)
    {
        var threads = state.State.Threads;
        var index = threads.FindIndex(t => t.Id == thread.Id);
        if (index >= 0)
        {
            if (threads[index] == thread)
            {
                // A new thread's row again, after its save failed: its thread waits until it is saved.
                if (_saved.Dirty) await _saved.WriteAsync();
                return;
            }
            threads[index] = thread;
            _saved.MarkDirty();
            Changed();
            return;
        }
        threads.Add(thread);
        if (threads.Count > MaxThreads)
        {
            threads.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
            threads.RemoveRange(MaxThreads, threads.Count - MaxThreads);
        }
        Changed();
        _saved.MarkDirty();
        await _saved.WriteAsync();
    }

    public Task<long> Subscribe(string nodeId, IFrontPageObserver observer)
    {
        _nodes.Subscribe(nodeId, observer);
        return Task.FromResult(_version);
    }

    public Task Unsubscribe(string nodeId)
    {
        _nodes.Unsubscribe(nodeId);
        return Task.CompletedTask;
    }

    /// <summary>A change goes out at once if the last push is a period ago, else when the period is up.</summary>
    private void Changed()
    {
        _version++;
        if (_pushPending) return;
        var wait = _pushedAt + _options.PushPeriod - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            Push();
            return;
        }
        _pushPending = true;
        _pushTimer?.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private Task PushPendingAsync(CancellationToken cancellationToken)
    {
        if (_pushPending) Push();
        return Task.CompletedTask;
    }

    private Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _nodes.RemoveExpired();
        return _saved.SaveIfDirtyAsync();
    }

    private void Push()
    {
        _pushPending = false;
        _pushedAt = time.GetUtcNow();
        // One-way: a dead node costs nothing but its expiry.
        foreach (var node in _nodes) node.OnFrontPageChanged(_version).Ignore();
    }
}
