using Chat.Contracts.Search;
using Chat.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Chat.Grains.Threads;

/// <summary>
/// Tells the thread's search shard of each settled batch and each changed comment. Until the shard
/// confirms a watermark at the thread's last seq, the housekeeping timer tells it again (with no
/// comments: the shard reads the log), so a lost message delays indexing by a timer period. The shard's
/// own sweep covers a thread whose silo died before that.
/// </summary>
internal sealed class SearchFeed(string threadId, IGrainFactory grains, int shards, Func<SearchThread> thread, ILogger logger)
{
    private long _confirmed = -1;
    private int _inFlight;

    private ISearchShardGrain Shard => grains.GetGrain<ISearchShardGrain>(SearchShards.Of(threadId, shards));

    /// <summary>Awaited at creation: the shard knows the thread (and its sweep checks it) before anyone can comment.</summary>
    public async Task RegisterAsync()
    {
        try
        {
            await SendAsync(0, []);
        }
        catch (Exception ex)
        {
            // The timer sends it again; creating the thread does not wait on search.
            logger.LogWarning(ex, "Thread {ThreadId}: its search shard did not take it yet", threadId);
        }
    }

    public void Settled(IReadOnlyList<StoredComment> batch, long lastSeq) =>
        _ = SendQuietlyAsync(lastSeq, [.. batch.Select(s => s.Comment)]);

    public void Changed(Comment comment) => Shard.Changed(comment).Ignore();

    public void Housekeep(long lastSeq)
    {
        if (_confirmed < lastSeq && _inFlight == 0) _ = SendQuietlyAsync(lastSeq, []);
    }

    private async Task SendQuietlyAsync(long lastSeq, Comment[] comments)
    {
        try
        {
            await SendAsync(lastSeq, comments);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Thread {ThreadId}: telling its search shard failed; the timer tries again", threadId);
        }
    }

    private async Task SendAsync(long lastSeq, Comment[] comments)
    {
        _inFlight++;
        try
        {
            _confirmed = Math.Max(_confirmed, await Shard.Settled(thread(), lastSeq, comments));
        }
        finally
        {
            _inFlight--;
        }
    }
}
