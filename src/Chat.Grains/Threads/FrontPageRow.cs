using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// A thread's row on the front page: changes (counts, points) go out one-way at most once per period,
/// so the front page never becomes the hot spot; a new thread's row is written awaited.
/// </summary>
internal sealed class FrontPageRow(string threadId, IGrainFactory grains, TimeProvider time, TimeSpan period, Func<ThreadSummary> summary, ILogger logger)
{
    private bool _changed;
    private DateTimeOffset _sentAt = DateTimeOffset.MinValue;

    /// <summary>The row differs from what the front page was last sent.</summary>
    public void Changed() => _changed = true;

    /// <summary>Awaited, so the caller knows the front page has the row; "storage unavailable" if not.</summary>
    public async Task WriteAsync()
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

    /// <summary>From the housekeeping timer: the change goes out if the period since the last one is up.</summary>
    public void SendIfDue()
    {
        if (_changed && time.GetUtcNow() - _sentAt >= period) Send();
    }

    /// <summary>On deactivation: whatever changed goes out now.</summary>
    public void SendIfChanged()
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
