using Chat.Grains.Moderation;
using Chat.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Chat.Grains;

/// <summary>
/// The moderation queue. Not reentrant: flags and decisions on one comment are taken one at a time,
/// so a flag and a decision can never both act on the entry's old state. Every change is written
/// before it is acknowledged (the queue must survive a silo's restart); the volume is what readers
/// flag, rate-limited per user, and a write per flag is cheap at that.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // only threads are moved by a rebalancer: they hand their memory over
public sealed class FlagQueueGrain(
    [PersistentState("flagQueue", ChatStorage.GrainStorageName)] IPersistentState<FlagQueueState> state,
    [PersistentState(SubscribedNodesState.Name, ChatStorage.GrainStorageName)] IPersistentState<SubscribedNodesState> nodes,
    IOptions<ModerationOptions> options,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    ILogger<FlagQueueGrain> logger) : Grain, IFlagQueueGrain
{
    private const string HiddenBy = "readers' flags";
    private readonly ModerationOptions _options = options.Value;
    private NodeSubscriptions<IModQueueObserver> _nodes = null!;

    // Past any earlier activation's, like the inbox's version: a node compares, never stores it.
    private long _version = DateTime.UtcNow.Ticks;

    private List<FlaggedComment> Entries => state.State.Entries;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _nodes = new NodeSubscriptions<IModQueueObserver>(nodes, GrainFactory, time, _options.SubscriptionExpiry, "the nodes of the moderation queue", logger);
        _nodes.Restore("0");
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _nodes.SaveAsync();

    public async Task AddFlag(FlaggedComment comment, Flag flag)
    {
        var index = IndexOf(comment.ThreadId, comment.Seq);
        var entry = index >= 0 ? Entries[index] : null;
        if (entry is not null && entry.Flags.Any(f => f.Flagger == flag.Flagger)) return;
        if (entry is null && Entries.Count >= _options.QueueSize)
            throw ChatException.RateLimited("flagged comments waiting for moderators", TimeSpan.FromMinutes(1));
        if (entry is { Flags.Count: var kept } && kept >= _options.FlagsKeptPerComment) return;

        var flags = (entry?.Flags ?? []).Append(flag).ToArray();
        var hide = entry is not { HiddenByFlags: true } && flags.Length >= _options.FlagsToHide;
        var updated = (entry ?? comment with { Flags = [], HiddenByFlags = false }) with { Flags = flags, HiddenByFlags = entry?.HiddenByFlags == true || hide };
        var before = (Entries.ToList(), state.State.PendingHides.ToList());
        if (index >= 0) Entries[index] = updated; else Entries.Add(updated);
        if (hide) state.State.PendingHides.Add(updated);
        await WriteOrRestoreAsync(before);
        Changed();
        if (hide)
        {
            logger.LogInformation("Comment {Seq} of thread {ThreadId} hidden by {Flags} readers' flags", comment.Seq, comment.ThreadId, flags.Length);
            await TryApplyPendingHidesAsync();
        }
    }

    public Task<FlaggedComment[]> GetQueue() => Task.FromResult(Entries.ToArray());

    public async Task Decide(string threadId, long seq, string action, string moderator)
    {
        if (Flags.CheckAction(action) is { } error) throw ChatException.Invalid(error);
        var index = IndexOf(threadId, seq);
        if (index < 0) throw ChatException.NotFound($"Comment {seq} of thread {threadId} is not in the moderation queue (another moderator may have decided).");
        var thread = GrainFactory.GetGrain<IThreadGrain>(threadId);
        // The thread first: if it cannot be changed now, the entry stays for another try.
        if (action == "hide") await thread.SetHidden(seq, true, moderator);
        else if (action == "restore") await thread.SetHidden(seq, false, moderator);
        var before = (Entries.ToList(), state.State.PendingHides.ToList());
        Entries.RemoveAt(index);
        state.State.PendingHides.RemoveAll(p => p.ThreadId == threadId && p.Seq == seq);
        await WriteOrRestoreAsync(before);
        logger.LogInformation("Moderator {Moderator} decided {Action} on comment {Seq} of thread {ThreadId}", moderator, action, seq, threadId);
        Changed();
    }

    public Task<long> Subscribe(string nodeId, IModQueueObserver observer)
    {
        _nodes.Subscribe(nodeId, observer);
        return Task.FromResult(_version);
    }

    public Task Unsubscribe(string nodeId)
    {
        _nodes.Unsubscribe(nodeId);
        return Task.CompletedTask;
    }

    private int IndexOf(string threadId, long seq) => Entries.FindIndex(e => e.ThreadId == threadId && e.Seq == seq);

    /// <summary>Nothing is acknowledged unless stored: a failed write puts memory back as it was.</summary>
    private async Task WriteOrRestoreAsync((List<FlaggedComment> Entries, List<FlaggedComment> PendingHides) before)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            (state.State.Entries, state.State.PendingHides) = before;
            logger.LogWarning(ex, "Saving the moderation queue failed");
            throw ChatException.StorageUnavailable();
        }
    }

    private void Changed()
    {
        var version = ++_version;
        foreach (var node in _nodes) node.OnModQueue(version).Ignore();
    }

    /// <summary>Hides what the flags decided to hide; what the thread cannot take now stays pending for the timer.</summary>
    private async Task TryApplyPendingHidesAsync()
    {
        if (state.State.PendingHides.Count == 0) return;
        var done = new List<FlaggedComment>();
        foreach (var pending in state.State.PendingHides)
        {
            try
            {
                await GrainFactory.GetGrain<IThreadGrain>(pending.ThreadId).SetHidden(pending.Seq, true, HiddenBy);
                done.Add(pending);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Hiding flagged comment {Seq} of thread {ThreadId} failed; retrying shortly", pending.Seq, pending.ThreadId);
            }
        }
        if (done.Count == 0) return;
        state.State.PendingHides.RemoveAll(done.Contains);
        try { await state.WriteStateAsync(); }
        catch (Exception ex) { logger.LogWarning(ex, "Saving the moderation queue failed; hides are retried (hiding twice is harmless)"); }
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _nodes.RemoveExpired();
        await _nodes.SaveAsync();
        await TryApplyPendingHidesAsync();
    }
}
