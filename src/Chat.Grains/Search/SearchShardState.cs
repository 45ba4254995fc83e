namespace Chat.Grains.Search;

/// <summary>
/// What a shard keeps in grain storage: the threads it serves (so that its sweep checks each of them
/// against the log, even one whose every notification was lost) and its activation count (epoch),
/// which tells a current copy of its index files from a stale one.
/// </summary>
[GenerateSerializer, Alias("Chat.SearchShardState")]
public sealed class SearchShardState
{
    [Id(0)] public HashSet<string> Threads { get; set; } = [];
    [Id(1)] public long Epoch { get; set; }
}
