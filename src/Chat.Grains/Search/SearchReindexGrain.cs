using Chat.Contracts.Search;
using Chat.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chat.Grains.Search;

/// <summary>
/// Rebuilds every search shard: lists the threads (every partition of the comment log, and every
/// thread a shard has registered), asks each thread grain for its title and text, and has each
/// shard re-read its threads from the log, a few threads per call so that queries go on between
/// calls; the shards work side by side. Finally each shard drops threads that are no longer its own
/// and commits. Progress is kept in memory: if this grain's silo dies, start it again (a rerun
/// replaces documents by key, so it is safe at any time).
/// </summary>
public sealed class SearchReindexGrain(
    ICommentLog log,
    IOptions<SearchOptions> options,
    [FromKeyedServices(ThreadGrainOptions.ClockKey)] TimeProvider time,
    ILogger<SearchReindexGrain> logger) : Grain, ISearchReindexGrain
{
    // Threads per shard call: small enough that a query waits little behind one.
    private const int ThreadsPerCall = 8;
    private ReindexStatus _status = new(ReindexStatus.Idle, 0, 0, 0, null, null, 0, null);
    private Task? _run;

    public Task<ReindexStatus> Start()
    {
        if (_status.Running) return Task.FromResult(_status);
        _status = new(ReindexStatus.Listing, 0, 0, 0, time.GetUtcNow(), null, 0, null);
        _run = RunAsync();
        return Task.FromResult(_status);
    }

    public Task<ReindexStatus> GetStatus() => Task.FromResult(_status);

    private async Task RunAsync()
    {
        try
        {
            var shards = options.Value.Shards;
            var threads = new SortedSet<string>(StringComparer.Ordinal);
            for (var id = await log.NextThreadIdAsync(null); id is not null; id = await log.NextThreadIdAsync(id))
            {
                if (Limits.IsValidThreadId(id)) threads.Add(id);
                if (threads.Count % 500 == 0) _status = _status with { ThreadsTotal = threads.Count };
                DelayDeactivation(TimeSpan.FromMinutes(5));
            }
            foreach (var registered in await Task.WhenAll(Enumerable.Range(0, shards).Select(s => GrainFactory.GetGrain<ISearchShardGrain>(s).GetThreads())))
                threads.UnionWith(registered);
            _status = _status with { State = ReindexStatus.Indexing, ThreadsTotal = threads.Count };
            logger.LogInformation("Search rebuild: {Threads} threads over {Shards} shards", threads.Count, shards);
            await Task.WhenAll(threads.GroupBy(t => SearchShards.Of(t, shards)).Select(g => RebuildShardAsync(g.Key, [.. g])));
            await Task.WhenAll(Enumerable.Range(0, shards).Select(s => GrainFactory.GetGrain<ISearchShardGrain>(s).FinishRebuild()));
            _status = _status with { State = ReindexStatus.Done, FinishedAt = time.GetUtcNow() };
            logger.LogInformation("Search rebuild done: {Threads} threads, {Comments} comments, {Rate:F0} comments/s, {Failed} threads failed",
                _status.ThreadsDone, _status.Comments, _status.CommentsPerSecond(time.GetUtcNow()), _status.ThreadsFailed);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Search rebuild failed; start it again");
            _status = _status with { State = ReindexStatus.Failed, FinishedAt = time.GetUtcNow(), Error = ex.Message };
        }
    }

    private async Task RebuildShardAsync(int shard, List<string> threads)
    {
        var grain = GrainFactory.GetGrain<ISearchShardGrain>(shard);
        foreach (var chunk in threads.Chunk(ThreadsPerCall))
        {
            DelayDeactivation(TimeSpan.FromMinutes(5));
            var infos = await Task.WhenAll(chunk.Select(InfoAsync));
            var found = infos.OfType<SearchThread>().ToArray();
            long read = 0;
            try
            {
                read = await grain.Rebuild(found);
            }
            catch (Exception ex) when (ex is CommentLogUnavailableException or TimeoutException or OrleansException)
            {
                // The feed and the sweep still cover these threads; a rerun rebuilds them.
                logger.LogWarning(ex, "Search rebuild: shard {Shard} failed {Count} threads", shard, found.Length);
                _status = _status with { ThreadsFailed = _status.ThreadsFailed + found.Length };
                found = [];
            }
            _status = _status with
            {
                ThreadsDone = _status.ThreadsDone + chunk.Length,
                Comments = _status.Comments + read,
                ThreadsFailed = _status.ThreadsFailed + infos.Count(i => i is null),
            };
        }
    }

    /// <summary>The thread as its grain knows it; null if it was never created (a partition with only stray rows) or does not answer.</summary>
    private async Task<SearchThread?> InfoAsync(string threadId)
    {
        try
        {
            var info = await GrainFactory.GetGrain<IThreadGrain>(threadId).GetInfo();
            return new SearchThread(threadId, info.Title, info.Body, info.Author, info.CreatedAt, info.Points);
        }
        catch (Exception ex) when (ex is ChatException or TimeoutException or OrleansException)
        {
            logger.LogWarning(ex, "Search rebuild: thread {ThreadId} left out", threadId);
            return null;
        }
    }
}
