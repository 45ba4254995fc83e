namespace Chat.Contracts.Search;

/// <summary>Orders of search results: best match first (with recency and points as boosts) or newest first.</summary>
public static class SearchSort
{
    public const string Relevance = "relevance";
    public const string New = "new";

    public static bool IsKnown(string? sort) => sort is Relevance or New;
}

/// <summary>One search as the API takes it, after the web tier's checks. Cursor: from the previous page's answer.</summary>
[GenerateSerializer, Immutable, Alias("Chat.SearchRequest")]
public sealed record SearchRequest(
    [property: Id(0)] SearchQuery Query,
    [property: Id(1)] string Sort,
    [property: Id(2)] int Limit,
    [property: Id(3)] string? Cursor)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;

    /// <summary>How deep paging goes: past this many results, refine the query instead.</summary>
    public const int MaxDepth = 1_000;
}

/// <summary>A matched word's place in a snippet: UTF-16 code units, as JavaScript strings count them.</summary>
[GenerateSerializer, Immutable, Alias("Chat.SnippetRange")]
public sealed record SnippetRange([property: Id(0)] int Start, [property: Id(1)] int Length);

/// <summary>Plain text around the matches (never HTML) and where in it the matched words are.</summary>
[GenerateSerializer, Immutable, Alias("Chat.Snippet")]
public sealed record Snippet([property: Id(0)] string Text, [property: Id(1)] SnippetRange[] Ranges);

/// <summary>A found comment (Seq &gt; 0) or thread (Seq 0), as readers see it now.</summary>
[GenerateSerializer, Immutable, Alias("Chat.SearchHit")]
public sealed record SearchHit(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string ThreadTitle,
    [property: Id(2)] long Seq,
    [property: Id(3)] string Author,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] Snippet Snippet,
    [property: Id(6)] long Points);

/// <summary>A page of results; Total counts every match (before the answer-time check of what may be shown); Cursor null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("Chat.SearchResult")]
public sealed record SearchResult(
    [property: Id(0)] SearchHit[] Hits,
    [property: Id(1)] long Total,
    [property: Id(2)] string? Cursor);

/// <summary>What a shard's index holds of a thread itself (seq 0).</summary>
[GenerateSerializer, Immutable, Alias("Chat.SearchThread")]
public sealed record SearchThread(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Body,
    [property: Id(3)] string Author,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] long Points);

/// <summary>One shard's matches, best first in the asked order, at most the asked depth.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ShardHit")]
public sealed record ShardHit(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] double Score,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string ThreadTitle,
    [property: Id(5)] string Author,
    [property: Id(6)] string Text,
    [property: Id(7)] long Points);

[GenerateSerializer, Immutable, Alias("Chat.ShardHits")]
public sealed record ShardHits([property: Id(0)] ShardHit[] Hits, [property: Id(1)] long Total);
