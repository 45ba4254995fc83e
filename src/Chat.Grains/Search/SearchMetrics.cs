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
    private readonly ConcurrentDictionary<int, Func<(long Documents, long CommentsBehind)>> _shards = new();

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
    }

    public void Indexed(int comments, bool caughtUp, TimeSpan? lag)
    {
        if (comments > 0) _indexed.Add(comments, new KeyValuePair<string, object?>("source", caughtUp ? "catch_up" : "settled"));
        // Imports keep their original times, and a rebuild indexes old comments: neither is lag.
        if (lag is { } l && l < MaxLag) _indexLag.Record(Math.Max(0, l.TotalMilliseconds));
    }

    public void Query(TimeSpan duration) => _queryDuration.Record(duration.TotalMilliseconds);

    public void ShardActive(int shard, Func<(long, long)> reading) => _shards[shard] = reading;

    public void ShardInactive(int shard) => _shards.TryRemove(shard, out _);
}
