using Microsoft.Extensions.Options;

namespace Chat.Grains.Search;

/// <summary>The search index; bound from configuration section "Chat:Search".</summary>
public sealed class SearchOptions
{
    public const string Section = "Chat:Search";

    /// <summary>
    /// Index shards (grains); a thread's shard is a stable hash of its id. Changing it moves threads
    /// to other shards: rebuild the index after (docs/operations.md, "Search").
    /// </summary>
    public int Shards { get; set; } = 4;

    /// <summary>
    /// Where a silo keeps the index files of the shards it hosts (local disk; a shard that moves
    /// rebuilds its files on the new silo). Empty: a "chat-search" folder in the temp directory.
    /// </summary>
    public string IndexDirectory { get; set; } = "";

    /// <summary>How often a shard checks its threads against the comment log for comments it missed.</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Threads a shard checks against the log per sweep, round robin (besides those it knows lag).</summary>
    public int SweepBatch { get; set; } = 200;

    /// <summary>How often a shard commits its index to disk (new comments are searchable before, from memory).</summary>
    public TimeSpan CommitPeriod { get; set; } = TimeSpan.FromSeconds(5);

    public const int MaxShards = 256;

    public string IndexRoot() => string.IsNullOrWhiteSpace(IndexDirectory) ? Path.Combine(Path.GetTempPath(), "chat-search") : IndexDirectory;
}

public sealed class SearchOptionsValidator : IValidateOptions<SearchOptions>
{
    private const string Section = SearchOptions.Section;

    public ValidateOptionsResult Validate(string? name, SearchOptions o) => ChatOptions.Result(
    [
        o.Shards is < 1 or > SearchOptions.MaxShards
            ? $"Configuration key {Section}:Shards is {o.Shards}; it must be 1 to {SearchOptions.MaxShards} (4 is the default)." : null,
        o.SweepPeriod <= TimeSpan.Zero || o.CommitPeriod <= TimeSpan.Zero
            ? $"Configuration keys {Section}:SweepPeriod and {Section}:CommitPeriod must be above zero (they are {o.SweepPeriod} and {o.CommitPeriod})." : null,
        o.SweepBatch < 1
            ? $"Configuration key {Section}:SweepBatch is {o.SweepBatch}; it must be 1 or more (200 is the default)." : null,
    ]);
}
