namespace Chat.Contracts.Search;

/// <summary>
/// A query a web node's readers keep open (a /search page left open): every new comment that
/// matches it is pushed to them. Key names it: the same query has the same key on every node, so a
/// shard matches it once however many nodes and readers hold it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.StandingQuery")]
public sealed record StandingQuery([property: Id(0)] string Key, [property: Id(1)] SearchQuery Query)
{
    public static StandingQuery Of(SearchQuery q) => new(KeyOf(q), q);

    /// <summary>Every part of the parsed query, in order, with separators no query text holds (control characters are cleaned out).</summary>
    private static string KeyOf(SearchQuery q) => string.Join('\u001e',
        string.Join('\u001f', q.Words), string.Join('\u001f', q.Phrases), string.Join('\u001f', q.Excluded), string.Join('\u001f', q.Authors),
        q.ThreadId ?? "", q.From?.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        q.Until?.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
}

/// <summary>A new comment (or thread, Seq 0) that matched the standing query of this key, as readers see it.</summary>
[GenerateSerializer, Immutable, Alias("Chat.StandingMatch")]
public sealed record StandingMatch([property: Id(0)] string Key, [property: Id(1)] SearchHit Hit);

/// <summary>
/// Implemented once per web node: the index shards push the matches of the node's standing queries,
/// and take back a comment that was hidden or deleted after it may have been pushed.
/// </summary>
[Alias("Chat.IStandingQueryObserver")]
public interface IStandingQueryObserver : IGrainObserver
{
    [OneWay, Alias("OnSearchMatches")]
    Task OnSearchMatches(StandingMatch[] matches);

    [OneWay, Alias("OnSearchWithdrawn")]
    Task OnSearchWithdrawn(string threadId, long seq);
}
