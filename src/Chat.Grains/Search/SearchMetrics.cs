using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Chat.Grains.Search;

/// <summary>
/// Search's part of the "Chat" meter: how far indexing lags, how long queries take, and the shards
/// this silo hosts (documents, threads behind their last known seq).
/// </summary>
public sealed class SearchMetrics
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromHours(1);
    private readonly Counter<long> _indexed;
    private readonly Histogram<double> _indexLag;
    private readonly Histogram<double> _queryDuration;
    private readonly Histogram<double> _standingMatch;
    private readonly ConcurrentDictionary<int, Func<(long Documents, long CommentsBehind, int StandingQueries)>> _shards = new();

    /// <summary>Matching a comment against the standing queries takes microseconds to milliseconds: the default buckets start at 5 ms.</summary>
    private static readonly double[] MatchBucketsMs = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];

    public SearchMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ChatMetrics.MeterName);
        _indexed = meter.CreateCounter<long>("chat.search.indexed", description: "Comments indexed (or removed as no longer shown), by how they came: with their batch (settled) or read from the log (catch_up)");
        _indexLag = meter.CreateHistogram<double>("chat.search.index_lag", unit: "ms", description: "From a comment's creation (just before its acknowledgement) to its being searchable, for comments created within the hour before");
        _queryDuration = meter.CreateHistogram<double>("chat.search.query.duration", unit: "ms", description: "A search from the request reaching the search grain to its checked answer");
        meter.CreateObservableGauge("chat.search.shard.documents", () => _shards.Select(s => new Measurement<long>(s.Value().Documents, new KeyValuePair<string, object?>("shard", s.Key))),
            description: "Documents in each index shard this silo hosts (threads, comments, watermarks)");
        meter.CreateObservableGauge("chat.search.shard.comments_behind", () => _shards.Select(s => new Measurement<long>(s.Value().CommentsBehind, new KeyValuePair<string, object?>("shard", s.Key))),
            description: "Comments a shard knows exist but has not indexed yet (threads told of or found lagging), per hosted shard");
        meter.CreateObservableGauge("chat.search.shard.standing_queries", () => _shards.Select(s => new Measurement<int>(s.Value().StandingQueries, new KeyValuePair<string, object?>("shard", s.Key))),
            description: "Distinct standing queries (search pages left open, on any web node) each hosted shard matches new comments against");
        _standingMatch = meter.CreateHistogram("chat.search.standing.match_duration", unit: "ms",
            description: "Matching one new comment against its shard's standing queries, snippets of the matches included (only while the shard has standing queries)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MatchBucketsMs });
    }

    public void Indexed(int comments, bool caughtUp, TimeSpan? lag)
    {
        if (comments > 0) _indexed.Add(comments, new KeyValuePair<string, object?>("source", caughtUp ? "catch_up" : "settled"));
        // Imports keep their original times, and a rebuild indexes old comments: neither is lag.
        if (lag is { } l && l < MaxLag) _indexLag.Record(Math.Max(0, l.TotalMilliseconds));
    }

    public void Query(TimeSpan duration) => _queryDuration.Record(duration.TotalMilliseconds);

    public void StandingMatched(TimeSpan duration, int queries)
    {
        if (queries > 0) _standingMatch.Record(duration.TotalMilliseconds);
    }

    public void ShardActive(int shard, Func<(long, long, int)> reading) => _shards[shard] = reading;

    public void ShardInactive(int shard) => _shards.TryRemove(shard, out _);
}
