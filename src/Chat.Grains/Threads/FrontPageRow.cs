using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// A thread's row on the front page: changes (counts, points) go out one-way at most once per period,
/// so the front page never becomes the hot spot; a new thread's row is written awaited, and until
/// the front page has taken it the thread's state says so (<see cref="ThreadState.FrontPageRowPending"/>):
/// housekeeping keeps sending it, also after a crash, so stored threads are never missing from the list.
/// </summary>
internal sealed class FrontPageRow(string threadId, IPersistentState<ThreadState> state, LazyGrainState<ThreadState> saved,
    IGrainFactory grains, TimeProvider time, TimeSpan period, Func<ThreadSummary> summary, ILogger logger)
{
    private bool _changed;
    private DateTimeOffset _sentAt = DateTimeOffset.MinValue;

    /// <summary>The row differs from what the front page was last sent.</summary>
    public void Changed() => _changed = true;

    /// <summary>
    /// A new thread's row, if the front page has not taken it yet. If it cannot now, the caller hears
    /// "unavailable" (a retry of the creation gets this thread) and housekeeping tries again.
    /// </summary>
    public async Task ListIfPendingAsync()
    {
        if (!state.State.FrontPageRowPending) return;
        await WriteAsync();
        state.State.FrontPageRowPending = false;
        saved.MarkDirty();
    }

    /// <summary>From the housekeeping timer: the pending new row, else a change whose period is up.</summary>
    public async Task HousekeepAsync()
    {
        if (state.State.FrontPageRowPending)
        {
            try { await ListIfPendingAsync(); }
            catch (ChatException) { /* logged; the next tick tries again */ }
        }
        else
        {
            SendIfDue();
        }
    }

    /// <summary>On deactivation: whatever changed goes out now (a pending new row is left to the next activation's housekeeping).</summary>
    public void SendIfChangedAndListed()
    {
        if (!state.State.FrontPageRowPending) SendIfChanged();
    }

    /// <summary>Awaited, so the caller knows the front page has the row; "storage unavailable" if not.</summary>
    private async Task WriteAsync()
    {
        var sentAt = time.GetUtcNow();
        try
        {
            await grains.GetGrain<IFrontPageGrain>(0).Update(summary());
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Thread {ThreadId}: the front page did not take its row", threadId);
            throw ChatException.StorageUnavailable();
        }
        _sentAt = sentAt;
    }

    /// <summary>The change goes out if the period since the last one is up.</summary>
    private void SendIfDue()
    {
        if (_changed && time.GetUtcNow() - _sentAt >= period) Send();
    }

    private void SendIfChanged()
    {
        if (_changed) Send();
    }

    private void Send()
    {
        _changed = false;
        _sentAt = time.GetUtcNow();
        grains.GetGrain<IFrontPageGrain>(0).Update(summary()).Ignore();
    }
}
