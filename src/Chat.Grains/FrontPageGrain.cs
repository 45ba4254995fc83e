using Microsoft.Extensions.Logging;

namespace Chat.Grains;

/// <summary>
/// The front page's list of threads. Rows arrive from thread grains at most every couple of seconds
/// per thread. A new thread is saved at once (so it is never lost from the list); count changes are
/// saved on a timer, since the threads themselves hold the true counts.
/// </summary>
public sealed class FrontPageGrain(
    [PersistentState("frontpage", ChatStorage.GrainStorageName)] IPersistentState<FrontPageState> state,
    TimeProvider time,
    ILogger<FrontPageGrain> logger) : Grain, IFrontPageGrain
{
    /// <summary>Keeps grain state far below the ~1 MB that table grain storage accepts.</summary>
    private const int MaxThreads = 1_000;
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SaveIfDirtyAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => SaveIfDirtyAsync(cancellationToken);

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
            threads[index] = thread;
            _dirty = true;
            return;
        }
        threads.Add(thread);
        if (threads.Count > MaxThreads)
        {
            threads.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
            threads.RemoveRange(MaxThreads, threads.Count - MaxThreads);
        }
        await state.WriteStateAsync();
        _dirty = false;
    }

    private async Task SaveIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        _dirty = false;
        try { await state.WriteStateAsync(); }
        catch (Exception ex)
        {
            _dirty = true;
            logger.LogWarning(ex, "Saving the front page failed; will retry");
        }
    }
}
