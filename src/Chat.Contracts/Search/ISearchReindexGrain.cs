namespace Chat.Contracts.Search;

/// <summary>
/// Rebuilds every search shard from the comment log (key 0: one rebuild at a time in the cluster).
/// Safe to start again, also while people post: each thread is re-read from the log by its shard in
/// one turn and its documents replaced by key, so nothing is indexed twice and nothing posted
/// meanwhile is lost (the feed keeps indexing beside it).
/// </summary>
[Alias("Chat.ISearchReindexGrain")]
[Orleans.CodeGeneration.Version(0)]
public interface ISearchReindexGrain : IGrainWithIntegerKey
{
    /// <summary>Starts a rebuild unless one is running; returns its progress either way.</summary>
    [Alias("Start")]
    Task<ReindexStatus> Start();

    [AlwaysInterleave, Alias("GetStatus")]
    Task<ReindexStatus> GetStatus();
}

/// <summary>Where a rebuild is. State: idle (none since this grain's activation), listing, indexing, done or failed.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ReindexStatus")]
public sealed record ReindexStatus(
    [property: Id(0)] string State,
    [property: Id(1)] int ThreadsTotal,
    [property: Id(2)] int ThreadsDone,
    [property: Id(3)] long Comments,
    [property: Id(4)] DateTimeOffset? StartedAt,
    [property: Id(5)] DateTimeOffset? FinishedAt,
    [property: Id(6)] int ThreadsFailed,
    [property: Id(7)] string? Error)
{
    public const string Idle = "idle", Listing = "listing", Indexing = "indexing", Done = "done", Failed = "failed";

    public bool Running => State is Listing or Indexing;

    /// <summary>Comments read and indexed per second so far.</summary>
    public double CommentsPerSecond(DateTimeOffset now) =>
        StartedAt is { } s && ((FinishedAt ?? now) - s).TotalSeconds is var secs && secs > 0 ? Comments / secs : 0;
}
