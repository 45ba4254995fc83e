using HdrHistogram;

namespace Chat.LoadTests.Community;

/// <summary>
/// One post as its poster saw it, in seconds from the start of the measured time: the thread (by
/// rank), when it was due, when it ended (acknowledged, or given up as an error; null: neither by the
/// end of the run), how many times it was sent (above 1: retried on another node with the same
/// clientId) and whether it failed.
/// </summary>
public readonly record struct PostTrace(int Thread, double Due, double? End, int Attempts, bool Failed);

/// <summary>A move as the coordinator made it: when it began (s from the start of the measured time), on which node, how long the move took, and the silos' thread activations read after it settled.</summary>
public sealed record ScaleRecord(double AtSeconds, string Action, string Node, double TookSeconds, Dictionary<string, long> ActivationsBySilo, string? Note = null);

/// <summary>
/// The silos' thread activations read at one moment (s from the start of the measured time), and
/// how many times the web nodes had retried a post to the cluster by then (their
/// `chat_post_retries_total`, each node's last reading kept after it stopped); the
/// `activationTimeline` of the JSON.
/// </summary>
public sealed record ActivationSample(double AtSeconds, Dictionary<string, long> BySilo, long ServerRetries = 0);

/// <summary>
/// A move and what readers and posters saw in its window (the `scaleEvents` of the JSON).
/// <paramref name="FairShareSeconds"/>: for an added silo, how long after the move every silo first
/// held at least half its fair share of the thread activations (null: not within
/// <see cref="ScaleWindows.FairShareWithin"/>, or not an added silo). <paramref name="ServerRetries"/>:
/// the times web nodes retried a post to the cluster in the window (a failover under the post, which
/// the poster did not see), from readings every few seconds.
/// </summary>
public sealed record ScaleEventResult(
    double AtSeconds, string Action, string Node, double TookSeconds, double WindowSeconds, long Posts, long PostErrors, long RetriedPosts,
    double LatencyMsP99, double AckMsP99, double UnavailableMs, Dictionary<string, long> ActivationsBySilo, string? Note, double? FairShareSeconds = null,
    long ServerRetries = 0);

/// <summary>
/// Cuts a run into the moves' windows: each from its move to <see cref="ScaleSchedule.Window"/> later,
/// to the next move, or to the end of the run, whichever is first.
/// </summary>
public static class ScaleWindows
{
    /// <summary>How long after adding a silo the activations are watched for every silo holding half its fair share.</summary>
    public static readonly TimeSpan FairShareWithin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Every silo holds at least half its fair share: at least half of (thread activations / silos).
    /// A cluster with no thread activations is balanced; a silo missing from the reading holds none.
    /// </summary>
    public static bool HalfFairShare(IReadOnlyDictionary<string, long> bySilo)
    {
        if (bySilo.Count == 0) return true;
        var fair = (double)bySilo.Values.Sum() / bySilo.Count;
        return bySilo.Values.All(n => n >= fair / 2);
    }

    private static double NextSiloRemoval(IReadOnlyList<ScaleRecord> moves, int after) =>
        moves.Skip(after + 1).FirstOrDefault(m => m.Action == ScaleSchedule.Name(ScaleAction.RemoveSilo))?.AtSeconds ?? double.MaxValue;

    /// <summary>
    /// The web nodes' post retries between the last reading at or before <paramref name="from"/> (none:
    /// 0) and the first at or after <paramref name="to"/> (none: the last reading): a retry within a
    /// reading's interval of the window's edges may count in both neighbours.
    /// </summary>
    public static long ServerRetries(IReadOnlyList<ActivationSample> samples, double from, double to)
    {
        if (samples.Count == 0) return 0;
        var ordered = samples.OrderBy(x => x.AtSeconds).ToList();
        var before = ordered.LastOrDefault(x => x.AtSeconds <= from)?.ServerRetries ?? 0;
        var after = (ordered.FirstOrDefault(x => x.AtSeconds >= to) ?? ordered[^1]).ServerRetries;
        return Math.Max(0, after - before);
    }

    /// <summary>
    /// For a silo added at <paramref name="move"/>: seconds from the move to the reading from which
    /// every reading up to the end of the watch has the new silo in it and every silo at half its fair
    /// share or more (reached and held, not a passing moment). The watch ends
    /// <see cref="FairShareWithin"/> after the move or at <paramref name="until"/> (the next removal
    /// of a silo), whichever is first. Null if the last reading of the watch misses the mark, or the
    /// move added no silo.
    /// </summary>
    public static double? FairShareSeconds(ScaleRecord move, IReadOnlyList<ActivationSample> samples, double until = double.MaxValue)
    {
        if (move.Action != ScaleSchedule.Name(ScaleAction.AddSilo)) return null;
        var end = Math.Min(move.AtSeconds + FairShareWithin.TotalSeconds, until);
        double? heldSince = null;
        foreach (var sample in samples.Where(x => x.AtSeconds >= move.AtSeconds && x.AtSeconds <= end).OrderBy(x => x.AtSeconds))
        {
            var met = sample.BySilo.ContainsKey(move.Node) && HalfFairShare(sample.BySilo);
            heldSince = met ? heldSince ?? sample.AtSeconds : null;
        }
        return heldSince is { } t ? Math.Round(t - move.AtSeconds, 1) : null;
    }

    /// <param name="moves">In time order.</param>
    /// <param name="posts">Every post of every worker.</param>
    /// <param name="seconds">The readers' delivery latencies (microseconds) per second of the run, each second by the time it ended.</param>
    /// <param name="runEnd">The end of what was recorded (s from the start of the measured time): a post not finished by then counts as waiting until then.</param>
    /// <param name="activations">The silos' thread activations read every few seconds through the run.</param>
    public static IReadOnlyList<ScaleEventResult> Compute(IReadOnlyList<ScaleRecord> moves, IReadOnlyList<PostTrace> posts,
        IReadOnlyList<(double T, HistogramBase Deliveries)> seconds, double runEnd, IReadOnlyList<ActivationSample>? activations = null)
    {
        var results = new List<ScaleEventResult>();
        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var from = m.AtSeconds;
            var to = Math.Max(from, Math.Min(Math.Min(from + ScaleSchedule.Window.TotalSeconds, i + 1 < moves.Count ? moves[i + 1].AtSeconds : double.MaxValue), runEnd));
            var due = posts.Where(p => p.Due >= from && p.Due < to).ToList();
            var acks = Stats.NewHistogram();
            foreach (var p in due.Where(p => !p.Failed && p.End is not null)) acks.RecordValue(Micros(p.End!.Value - p.Due));
            var deliveries = Stats.NewHistogram();
            foreach (var (t, h) in seconds)
                if (t > from && t <= to) deliveries.Add(h);
            results.Add(new ScaleEventResult(Math.Round(from, 1), m.Action, m.Node, Math.Round(m.TookSeconds, 1), Math.Round(to - from, 1),
                due.Count, due.Count(p => p.Failed), due.Count(p => p.Attempts > 1),
                P99Ms(deliveries), P99Ms(acks), Math.Round(LongestWait(posts, from, to, runEnd) * 1000), m.ActivationsBySilo, m.Note,
                FairShareSeconds(m, activations ?? [], NextSiloRemoval(moves, i)), ServerRetries(activations ?? [], from, to)));
        }
        return results;
    }

    /// <summary>
    /// The longest stretch of [from, to) during which some thread always had a post due and not yet
    /// answered (acknowledged or failed), in seconds: the posts' waits [due, end) per thread, clipped
    /// to the window and joined where they overlap or touch. A thread that answers within normal
    /// latency shows about its slowest ack; one that cannot take posts shows how long it could not.
    /// </summary>
    public static double LongestWait(IReadOnlyList<PostTrace> posts, double from, double to, double runEnd)
    {
        var longest = 0.0;
        foreach (var thread in posts.GroupBy(p => p.Thread))
        {
            double start = double.NaN, end = double.NaN;
            foreach (var (s, e) in thread
                .Select(p => (S: Math.Max(p.Due, from), E: Math.Min(p.End ?? runEnd, to)))
                .Where(w => w.E > w.S)
                .OrderBy(w => w.S))
            {
                if (!double.IsNaN(end) && s <= end) end = Math.Max(end, e);
                else (start, end) = (s, e);
                longest = Math.Max(longest, end - start);
            }
        }
        return longest;
    }

    private static long Micros(double seconds) => Math.Clamp((long)(seconds * 1_000_000), 1, 600_000_000);

    private static double P99Ms(HistogramBase h) => h.TotalCount == 0 ? 0 : Math.Round(h.GetValueAtPercentile(99) / 1000.0, 1);
}
