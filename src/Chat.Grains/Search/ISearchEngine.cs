using Chat.Contracts.Search;

namespace Chat.Grains.Search;

/// <summary>
/// The search engine behind the shard grains: Lucene.Net in process (<see cref="LuceneSearchEngine"/>),
/// or a managed service standing in (docs/architecture.md, "Search"). The grains decide what is
/// indexed and when; the engine only stores, finds and cuts snippets.
/// </summary>
public interface ISearchEngine
{
    /// <summary>
    /// Opens shard's index: the newest copy there is (by the epoch of its commit: the shard
    /// activation that made it) of the silo's local files and the shared copy, or an empty index.
    /// localScope names this silo's folder, sharedScope the shard's copy all silos see.
    /// </summary>
    Task<ISearchIndex> OpenAsync(int shard, string localScope, string sharedScope, CancellationToken cancellationToken = default);

    /// <summary>A piece of text around the query's words, with the matched words' places in it.</summary>
    Snippet Snippet(SearchQuery query, string text);
}

/// <summary>One shard's index. Not thread-safe: its grain calls it one turn at a time.</summary>
public interface ISearchIndex : IDisposable
{
    /// <summary>Per thread, the last seq indexed (0: the thread itself); kept with the documents, so they agree after a restore.</summary>
    IReadOnlyDictionary<string, long> Watermarks { get; }

    /// <summary>Adds or replaces the document of (thread, seq), unless the index holds a newer version of it.</summary>
    void Upsert(SearchDocument document, bool checkVersion);

    void Remove(string threadId, long seq);

    void SetWatermark(string threadId, long seq);

    /// <summary>Every document of the thread and its watermark (the thread is no longer this shard's).</summary>
    void RemoveThread(string threadId);

    /// <summary>The thread's title as its seq-0 document holds it, or null.</summary>
    string? TitleOf(string threadId);

    ShardHits Search(SearchQuery query, string sort, int depth, DateTimeOffset now);

    /// <summary>Makes everything so far durable, marked as the given epoch's, and copies it where the engine keeps copies.</summary>
    Task CommitAsync(long epoch, CancellationToken cancellationToken = default);

    /// <summary>The epoch of the copy that was opened (0: none, the index started empty).</summary>
    long OpenedEpoch { get; }

    long DocumentCount { get; }
}

/// <summary>
/// One indexed thing: a thread (Seq 0: Title and its text) or a comment. Version orders versions of
/// one (thread, seq): a replacement with a lower one is ignored, so replays are idempotent.
/// </summary>
public sealed record SearchDocument(
    string ThreadId, long Seq, string ThreadTitle, string Text, string Author, DateTimeOffset CreatedAt, long Points, long Version)
{
    public static SearchDocument Of(SearchThread t) => new(t.ThreadId, 0, t.Title, t.Body ?? "", t.Author, t.CreatedAt, t.Points, t.CreatedAt.UtcTicks);

    public static SearchDocument Of(Comment c, string threadTitle) =>
        new(c.ThreadId, c.Seq, threadTitle, c.Body, c.Author, c.CreatedAt, c.Points, (c.EditedAt ?? c.CreatedAt).UtcTicks);

    /// <summary>What readers may see; anything else is not (or no longer) indexed.</summary>
    public static bool Shown(Comment c) => !c.Deleted && !c.Hidden && c.Body.Length > 0;
}
