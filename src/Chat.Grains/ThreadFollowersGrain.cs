using Chat.Grains.Follows;
using Chat.Grains.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chat.Grains;

/// <summary>
/// A thread's followers and the fan-out of its new comments to their inboxes, coalesced: posts only
/// add to a counter here (one one-way call per settled batch, from the thread), and every
/// <see cref="InboxOptions.FollowedPeriod"/> while there are new ones each follower gets one call with
/// how many came (their own, and those that reached them as replies or mentions, not counted). So a thread makes at most followers / period inbox calls
/// a second however fast it goes: 10,000 followers at 10 comments/s is 2,000 calls/s with the default
/// 5 s, not 100,000 (docs/architecture.md, "Following a thread").
/// </summary>
[Reentrant]
public sealed class ThreadFollowersGrain(
    [PersistentState("followers", ChatStorage.GrainStorageName)] IPersistentState<ThreadFollowersState> state,
    IOptions<InboxOptions> options,
    ChatMetrics metrics,
    ILogger<ThreadFollowersGrain> logger) : Grain, IThreadFollowersGrain
{
    // One write at a time, and follows that come together share one (each waits for a write that
    // covers it); a row changed behind the grain's back is written over (LazyGrainState).
    private readonly LazyGrainState<ThreadFollowersState> _saved = new(state, "followers", logger);
    private readonly Dictionary<string, int> _notFor = new(StringComparer.Ordinal);
    private int _pending;
    private long _firstSeq;
    private string? _title;
    private IGrainTimer? _timer;

    private string ThreadId => this.GetPrimaryKeyString();
    private HashSet<string> Followers => state.State.Followers ??= [];

    public async Task Follow(string userName)
    {
        if (Followers.Contains(userName)) return;
        if (Followers.Count >= options.Value.FollowersPerThread)
            throw ChatException.Invalid($"This thread has {Followers.Count} followers, as many as it takes.");
        Followers.Add(userName);
        // The comments counted so far this period came before they followed: not theirs to hear of.
        if (_pending > 0) _notFor[userName] = _notFor.GetValueOrDefault(userName) + _pending;
        await WriteAsync(() => Followers.Remove(userName));
    }

    public async Task Unfollow(string userName)
    {
        if (!Followers.Remove(userName)) return;
        await WriteAsync(() => Followers.Add(userName));
    }

    public Task<int> Count() => Task.FromResult(Followers.Count);

    public Task Posted(FollowedComment[] comments)
    {
        if (Followers.Count == 0 || comments is not { Length: > 0 }) return Task.CompletedTask;
        foreach (var c in comments)
        {
            if (_pending == 0 || c.Seq < _firstSeq) _firstSeq = c.Seq;
            _pending++;
            // Those who need not count it: its author, and whoever heard of it as a reply or a mention.
            foreach (var name in c.Told.Append(c.Author).Distinct(StringComparer.Ordinal)) _notFor[name] = _notFor.GetValueOrDefault(name) + 1;
        }
        var period = options.Value.FollowedPeriod;
        _timer ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>One call per follower with something new for them; then the counter starts again. Idle: the timer stops.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending == 0)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        var (count, firstSeq, notFor) = (_pending, _firstSeq, new Dictionary<string, int>(_notFor));
        (_pending, _firstSeq) = (0, 0);
        _notFor.Clear();
        if (_title is null)
        {
            try
            {
                _title = (await GrainFactory.GetGrain<IThreadGrain>(ThreadId).GetInfo()).Title;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Thread {ThreadId}: reading its title for its followers failed", ThreadId);
                _title = "";
            }
        }
        var delivered = 0;
        foreach (var follower in Followers.ToArray())
        {
            var forThem = count - notFor.GetValueOrDefault(follower);
            if (forThem <= 0) continue;
            GrainFactory.GetGrain<IUserGrain>(follower).AddFollowed(ThreadId, _title, firstSeq, forThem).Ignore();
            delivered++;
        }
        metrics.FollowersNotified(delivered);
    }

    private async Task WriteAsync(Action undo)
    {
        _saved.MarkDirty();
        try
        {
            await _saved.SaveChangesAsync();
        }
        catch (Exception ex)
        {
            undo(); // still dirty: the next save writes the set without it
            logger.LogWarning(ex, "Saving the followers of thread {ThreadId} failed", ThreadId);
            throw ChatException.StorageUnavailable();
        }
    }
}
