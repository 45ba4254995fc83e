using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chat.Contracts;

/// <summary>
/// Where a comment's time goes, hop by hop, as one histogram (<c>chat.post.stage.duration</c>, ms)
/// with a <c>stage</c> label. Each stage is timed inside one process, so the web node's and the
/// silo's clocks never meet, except in <see cref="RecordNumberedToRelay"/> (see there). The load tool reads
/// the histogram before and after a run and prints the breakdown beside its end-to-end latency.
/// Here, not in Chat.Grains, because the silo's grains and the web node both record into it and
/// the web node must not depend on the grains' assembly (in Client topology it runs no grains); one
/// instance per process, a DI singleton, so that co-hosted both halves share it.
/// The post's path, outermost first (the outermost, the web node's post until the seq comes back, is
/// <c>chat.post.ack_latency</c>, WebMetrics):
/// <code>
///  user_grain          silo: the user grain's PostComment, which calls the thread grain
///   group_commit_wait  silo: queued in the thread's group commit until its transaction starts
///   storage_write      silo: the transaction's write to the comment log
///   settle_in_order    silo: written, until every earlier transaction is too (then acked and pushed)
/// numbered_to_relay    from the transaction's start (the comments' time) to a web node's relay
/// coalesce             web node: in the relay's coalescing window
/// group_send           web node: the SignalR group send (written to every reader's connection)
/// </code>
/// </summary>
public sealed class PostStages
{
    public const string UserGrain = "user_grain", GroupCommitWait = "group_commit_wait", StorageWrite = "storage_write",
        SettleInOrder = "settle_in_order", NumberedToRelay = "numbered_to_relay", Coalesce = "coalesce", GroupSend = "group_send";

    /// <summary>Fine below 100 ms, where the stages of a healthy post are, coarse above; also the ack latency's.</summary>
    public static readonly double[] BucketsMs = [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000];

    private readonly Histogram<double> _duration;

    public PostStages(IMeterFactory meterFactory) =>
        _duration = meterFactory.Create(ChatMeter.Name).CreateHistogram("chat.post.stage.duration", unit: "ms",
            description: "Time a comment spends in each stage of its way from the poster's hub call to the readers' connections (label stage)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketsMs });

    /// <summary>One comment's time in a stage, from a <see cref="Stopwatch.GetTimestamp"/> to now.</summary>
    public void Since(string stage, long startTimestamp, int comments = 1) => Record(stage, Stopwatch.GetElapsedTime(startTimestamp), comments);

    /// <summary>The time each of <paramref name="comments"/> comments spent in a stage (one sample per comment, so that a batch weighs what it carries).</summary>
    public void Record(string stage, TimeSpan elapsed, int comments = 1)
    {
        var tag = new KeyValuePair<string, object?>("stage", stage);
        for (var i = 0; i < comments; i++) _duration.Record(elapsed.TotalMilliseconds, tag);
    }

    /// <summary>
    /// Arrival at a web node's relay, measured against the comments' time, which the silo's clock
    /// gave them when their transaction started: exact where both run on one machine (the load
    /// tool's setups), off by the clocks' difference across machines. Old comments (an import, a
    /// gap fill) are not a post's way and are left out.
    /// </summary>
    public void RecordNumberedToRelay(DateTimeOffset numberedAt, DateTimeOffset now, int comments = 1)
    {
        var elapsed = now - numberedAt;
        if (elapsed >= TimeSpan.Zero && elapsed < TimeSpan.FromMinutes(1)) Record(NumberedToRelay, elapsed, comments);
    }
}
