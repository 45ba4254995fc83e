using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>One stage of a post's way through the product over a run: how many comments passed it and how long they spent there.</summary>
public sealed record StageTime(string Stage, long Comments, double MeanMs, double P50Ms, double P99Ms);

/// <summary>
/// Where the product's latency goes: the product's <c>chat_post_stage_duration</c> histogram (see
/// PostStages in Chat.Grains) and its ack latency (<c>chat_post_ack_latency</c>, shown as the stage
/// "hub"), read from /metrics before and after the measured time, as the difference of the two. Percentiles are read off the histogram's buckets (linear within a bucket),
/// so they are as fine as its buckets: below 100 ms, within a few ms.
/// </summary>
public static partial class PostStageReport
{
    /// <summary>The stages in the order a post passes them; the nesting says which contains which.</summary>
    public static readonly (string Stage, string Label)[] Stages =
    [
        ("hub", "hub: post until acknowledged (web node)"),
        ("user_grain", "  user grain, incl. thread grain (silo)"),
        ("group_commit_wait", "    waiting for the group commit"),
        ("storage_write", "    storage write"),
        ("settle_in_order", "    settling in seq order"),
        ("numbered_to_relay", "numbered -> web node's relay (incl. write and settle)"),
        ("coalesce", "relay: coalescing window"),
        ("group_send", "relay: SignalR group send"),
    ];

    /// <summary>Bucket counts (cumulative, by upper bound), sum and count of each stage, summed over the nodes; null when no node has the histogram.</summary>
    public sealed record Snapshot(Dictionary<string, SortedDictionary<double, double>> Buckets, Dictionary<string, (double Sum, double Count)> Totals);

    public static async Task<Snapshot?> ReadAsync(IEnumerable<Uri> nodes, CancellationToken ct)
    {
        var texts = new List<string>();
        foreach (var node in nodes)
            if (await ServerMemory.MetricsAsync(node, ct) is { } text) texts.Add(text);
        return Parse(texts);
    }

    /// <summary>The stage histogram in Prometheus texts (one per node), summed; null when none has it.</summary>
    public static Snapshot? Parse(IEnumerable<string> texts)
    {
        var buckets = new Dictionary<string, SortedDictionary<double, double>>();
        var totals = new Dictionary<string, (double Sum, double Count)>();
        var any = false;
        foreach (var text in texts)
        {
            foreach (Match m in SampleRegex().Matches(text))
            {
                any = true;
                var (kind, labels, value) = (m.Groups[2].Value, m.Groups[3].Value, double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
                // The ack latency has no stage label: it is the outermost stage, the hub's.
                var name = m.Groups[1].Value.StartsWith("chat_post_ack_latency", StringComparison.Ordinal) ? "hub"
                    : StageRegex().Match(labels) is { Success: true } stage ? stage.Groups[1].Value : null;
                if (name is null) continue;
                if (kind == "_bucket")
                {
                    var le = LeRegex().Match(labels).Groups[1].Value;
                    var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                    var b = buckets.TryGetValue(name, out var x) ? x : buckets[name] = new();
                    b[bound] = b.GetValueOrDefault(bound) + value;
                }
                else
                {
                    var t = totals.GetValueOrDefault(name);
                    totals[name] = kind == "_sum" ? (t.Sum + value, t.Count) : (t.Sum, t.Count + value);
                }
            }
        }
        return any ? new Snapshot(buckets, totals) : null;
    }

    /// <summary>What happened between two snapshots, per stage, in <see cref="Stages"/> order.</summary>
    public static StageTime[] Between(Snapshot before, Snapshot after)
    {
        var result = new List<StageTime>();
        foreach (var (stage, _) in Stages)
        {
            if (!after.Totals.TryGetValue(stage, out var a)) continue;
            var b = before.Totals.GetValueOrDefault(stage);
            var count = a.Count - b.Count;
            if (count <= 0) continue;
            var earlier = before.Buckets.GetValueOrDefault(stage) ?? new();
            var cumulative = after.Buckets[stage].Select(kv => (Bound: kv.Key, Count: kv.Value - earlier.GetValueOrDefault(kv.Key))).ToArray();
            result.Add(new StageTime(stage, (long)count, Math.Round((a.Sum - b.Sum) / count, 2), Quantile(cumulative, count, 0.5), Quantile(cumulative, count, 0.99)));
        }
        return [.. result];
    }

    /// <summary>The q-quantile from cumulative bucket counts, linear within the bucket it falls in; the last finite bound when it falls in +Inf.</summary>
    public static double Quantile((double Bound, double Count)[] cumulative, double total, double q)
    {
        var rank = q * total;
        var (lowerBound, lowerCount) = (0.0, 0.0);
        foreach (var (bound, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound)) return lowerBound;
                var share = count == lowerCount ? 1 : (rank - lowerCount) / (count - lowerCount);
                return Math.Round(lowerBound + (bound - lowerBound) * share, 2);
            }
            (lowerBound, lowerCount) = (bound, count);
        }
        return lowerBound;
    }

    public static Table Table(string target, StageTime[] stages, double endToEndP50, double endToEndP99)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]where a post's time goes: {Markup.Escape(target)}[/]")
            .Caption("each stage timed inside one process (see PostStages); the nesting shows which stage contains which; end to end = the readers' post -> delivered, for comparison");
        foreach (var c in new[] { "stage", "comments", "mean ms", "p50 ms", "p99 ms" }) t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var s in stages)
            t.AddRow(Markup.Escape(Stages.First(x => x.Stage == s.Stage).Label), $"{s.Comments}", $"{s.MeanMs:0.00}", $"{s.P50Ms:0.0}", $"{s.P99Ms:0.0}");
        t.AddRow("end to end (readers)", "", "", $"{endToEndP50:0.0}", $"{endToEndP99:0.0}");
        return t;
    }

    [GeneratedRegex(@"^(chat_post_stage_duration|chat_post_ack_latency)[a-z_]*?(_bucket|_sum|_count)\{([^}]*)\}\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex SampleRegex();

    [GeneratedRegex(@"stage=""([^""]+)""")]
    private static partial Regex StageRegex();

    [GeneratedRegex(@"le=""([^""]+)""")]
    private static partial Regex LeRegex();
}
