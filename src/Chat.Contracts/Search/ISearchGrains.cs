namespace Chat.Contracts.Search;

/// <summary>
/// Answers searches: asks every index shard, merges their answers, and checks each hit against the
/// comment as it is now (a deleted or hidden one is left out, an edited one shows its new text).
/// Stateless: any silo answers.
/// </summary>
[Alias("Chat.ISearchGrain")]
[Orleans.CodeGeneration.Version(0)]
public interface ISearchGrain : IGrainWithIntegerKey
{
    [Alias("Search")]
    Task<SearchResult> Search(SearchRequest request);

    /// <summary>
    /// A web node's standing queries, handed to the shards that can match them (a thread: query to
    /// its thread's shard, any other to every shard). replace: these are all of the node's queries
    /// (its refresh; none: the node has none left); else they are added to those it has.
    /// </summary>
    [Alias("Watch")]
    Task Watch(string nodeId, IStandingQueryObserver observer, StandingQuery[] queries, bool replace);
}

/// <summary>
/// One index shard (key: shard number, 0 to Chat:Search:Shards - 1); a thread belongs to shard
/// <see cref="SearchShards.Of"/>. It keeps, per thread, the last seq it has indexed (its watermark)
/// and catches up from the comment log whenever that lags.
/// </summary>
[Alias("Chat.ISearchShardGrain")]
[Orleans.CodeGeneration.Version(0)]
public interface ISearchShardGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The thread has comments up to lastSeq; comments (may be empty) are the newest of them, in
    /// seq order. Indexes them if they follow the watermark, else reads the log. Returns the
    /// thread's watermark afterwards. Registers the thread durably, so its sweep never forgets it.
    /// </summary>
    [Alias("Settled")]
    Task<long> Settled(SearchThread thread, long lastSeq, Comment[] comments);

    /// <summary>A comment changed (edit, delete, hide, vote): re-indexed, or removed when no longer shown.</summary>
    [OneWay, Alias("Changed")]
    Task Changed(Comment comment);

    [Alias("Query")]
    Task<ShardHits> Query(SearchQuery query, string sort, int depth);

    /// <summary>The last seq of the thread this shard has indexed; -1 if none (not even the thread itself).</summary>
    [Alias("GetWatermark")]
    Task<long> GetWatermark(string threadId);

    /// <summary>
    /// Standing queries of a web node (see <see cref="ISearchGrain.Watch"/>): each new comment this
    /// shard indexes is matched against them and pushed to the node's observer. Kept in memory until
    /// the node stops refreshing them.
    /// </summary>
    [Alias("Watch")]
    Task Watch(string nodeId, IStandingQueryObserver observer, StandingQuery[] queries, bool replace);

    /// <summary>
    /// Re-reads each thread's whole log and replaces its documents (a shown comment indexed as it is
    /// now, any other removed), registering the thread; the watermark never goes back. Returns the
    /// comments read.
    /// </summary>
    [Alias("Rebuild")]
    Task<long> Rebuild(SearchThread[] threads);

    /// <summary>The threads registered with this shard.</summary>
    [Alias("GetThreads")]
    Task<string[]> GetThreads();

    /// <summary>Drops every document of threads that do not belong to this shard (after the shard count changed) and commits.</summary>
    [Alias("FinishRebuild")]
    Task FinishRebuild();
}

/// <summary>Threads to shards: a stable hash (FNV-1a of the id), the same in every process and version.</summary>
public static class SearchShards
{
    public static int Of(string threadId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in threadId) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)shards);
    }
}
