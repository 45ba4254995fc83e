using HdrHistogram;

namespace Chat.LoadTests.Followers;

/// <summary>A comment the posters had acknowledged: its seq, when it was due and when its ack came (Stopwatch ticks).</summary>
public sealed record AckedComment(long Seq, long DueTicks, long AckTicks);

/// <summary>An <c>Inbox</c> push at a watching follower: when it arrived, and the followed item's count it announced.</summary>
public sealed record InboxArrival(long ArrivalTicks, int Count);

/// <summary>What the watchers' arrivals say, once every ack is known.</summary>
public sealed record InboxLatencyResult(
    HistogramBase FromAck, HistogramBase FromDue, HistogramBase NewestFromAck, HistogramBase RoundSpread,
    long Delivered, long Missing, long OverCounted, int Rounds);

/// <summary>
/// Turns each watcher's inbox arrivals into per-comment latencies. A followed thread's item counts
/// the comments that came since the follower followed (all of them here: the posters do not follow,
/// nothing is a reply or a mention), so a count of c says the first c comments of the thread, in
/// seq order, have reached that inbox: comment k's latency at a watcher is the arrival of the first
/// push whose count is k or more, minus the comment's ack (or due) time. Computed at the end, when
/// every ack is in: a flush can tell of a comment whose ack is still on its way to its poster
/// (then the latency is 0, not negative).
/// </summary>
public static class InboxLatency
{
    /// <param name="comments">Every acknowledged comment of the run, warm-up included (counts start from the first).</param>
    /// <param name="watchers">Each watcher's arrivals in the order they came.</param>
    /// <param name="measureFrom">Comments due before this (the warm-up) count in the inbox's count but not in the latencies.</param>
    public static InboxLatencyResult Of(IReadOnlyList<AckedComment> comments, IReadOnlyList<IReadOnlyList<InboxArrival>> watchers, long measureFrom)
    {
        var ordered = comments.OrderBy(c => c.Seq).ToArray();
        var (fromAck, fromDue, newest, spread) = (Stats.NewHistogram(), Stats.NewHistogram(), Stats.NewHistogram(), Stats.NewHistogram());
        long delivered = 0, missing = 0, overCounted = 0;
        // A flush tells every follower the same count: the arrivals of one count, across watchers, are one round of the fan-out.
        var rounds = new Dictionary<int, (long First, long Last)>();
        foreach (var arrivals in watchers)
        {
            var told = 0;
            foreach (var a in arrivals)
            {
                if (a.Count > ordered.Length) overCounted = Math.Max(overCounted, a.Count - ordered.Length);
                var upTo = Math.Min(a.Count, ordered.Length);
                if (upTo <= told) continue;
                for (var k = told; k < upTo; k++)
                {
                    var c = ordered[k];
                    if (c.DueTicks < measureFrom) continue;
                    fromAck.RecordValue(Micros(c.AckTicks, a.ArrivalTicks));
                    fromDue.RecordValue(Micros(c.DueTicks, a.ArrivalTicks));
                }
                var last = ordered[upTo - 1];
                if (last.DueTicks >= measureFrom)
                {
                    newest.RecordValue(Micros(last.AckTicks, a.ArrivalTicks));
                    rounds[upTo] = rounds.TryGetValue(upTo, out var r) ? (Math.Min(r.First, a.ArrivalTicks), Math.Max(r.Last, a.ArrivalTicks)) : (a.ArrivalTicks, a.ArrivalTicks);
                }
                delivered += upTo - told;
                told = upTo;
            }
            missing += ordered.Length - told;
        }
        foreach (var (first, last) in rounds.Values) spread.RecordValue(Micros(first, last));
        return new(fromAck, fromDue, newest, spread, delivered, missing, overCounted, rounds.Count);
    }

    /// <summary>Microseconds from one Stopwatch reading to a later one; at least 1 (HdrHistogram's floor), 0 and below included.</summary>
    public static long Micros(long fromTicks, long toTicks) =>
        Math.Max(1, (toTicks - fromTicks) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);
}
