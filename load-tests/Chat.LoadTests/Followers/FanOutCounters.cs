namespace Chat.LoadTests.Followers;

/// <summary>
/// The counters that say what a followed thread costs the cluster, read from /metrics (summed over
/// the nodes given): comments acknowledged and inbox calls to followers (the product's own
/// <c>chat_comments_acknowledged_total</c>, <c>chat_followers_notified_total</c>), messages Orleans
/// delivered to grains, requests and one-way calls alike (its dispatcher's
/// <c>orleans_messaging_processing_dispatcher_received_total{Context="Grain"}</c>: Orleans counts
/// grain calls in total, not by grain type), and grain-state writes (its storage histogram's count).
/// </summary>
public sealed record FanOutCounters(long Comments, long InboxCalls, long GrainMessages, long StateWrites)
{
    public static readonly FanOutCounters Zero = new(0, 0, 0, 0);

    /// <summary>One node's Prometheus text, or several summed; a counter not there yet (no increment so far) is 0.</summary>
    public static FanOutCounters Parse(IEnumerable<string> texts) => texts.Aggregate(Zero, (sum, t) => sum + new FanOutCounters(
        ServerMemory.SumOf(t, "chat_comments_acknowledged_total") ?? 0,
        ServerMemory.SumOf(t, "chat_followers_notified_total") ?? 0,
        ServerMemory.SumOf(t, "orleans_messaging_processing_dispatcher_received_total", "Context=\"Grain\"") ?? 0,
        ServerMemory.SumOf(t, "orleans_storage_write_latency_milliseconds_count") ?? 0));

    public static async Task<FanOutCounters> ReadAsync(IEnumerable<Uri> nodes, CancellationToken ct)
    {
        var texts = new List<string>();
        foreach (var node in nodes)
            if (await ServerMemory.MetricsAsync(node, ct) is { } text) texts.Add(text);
        return Parse(texts);
    }

    public static FanOutCounters operator +(FanOutCounters a, FanOutCounters b) =>
        new(a.Comments + b.Comments, a.InboxCalls + b.InboxCalls, a.GrainMessages + b.GrainMessages, a.StateWrites + b.StateWrites);

    public static FanOutCounters operator -(FanOutCounters a, FanOutCounters b) =>
        new(a.Comments - b.Comments, a.InboxCalls - b.InboxCalls, a.GrainMessages - b.GrainMessages, a.StateWrites - b.StateWrites);

    /// <summary>Per comment acknowledged in the same window (0 when none was).</summary>
    public static double PerComment(long count, long comments) => comments <= 0 ? 0 : Math.Round((double)count / comments, 2);
}
